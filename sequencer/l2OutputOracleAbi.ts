import { parseAbi } from 'viem'

// The L2OutputOracle functions the proposer uses (contracts-bedrock 0.17.3 src/L1/L2OutputOracle.sol).
export const l2OutputOracleAbi = parseAbi([
  'function nextBlockNumber() view returns (uint256)',
  'function latestBlockNumber() view returns (uint256)',
  'function computeL2Timestamp(uint256 _l2BlockNumber) view returns (uint256)',
  'function proposer() view returns (address)',
  'function getL2Output(uint256 _l2OutputIndex) view returns ((bytes32 outputRoot, uint128 timestamp, uint128 l2BlockNumber))',
  'function proposeL2Output(bytes32 _outputRoot, uint256 _l2BlockNumber, bytes32 _l1BlockHash, uint256 _l1BlockNumber) payable',
  'event OutputProposed(bytes32 indexed outputRoot, uint256 indexed l2OutputIndex, uint256 indexed l2BlockNumber, uint256 l1Timestamp)',
])
