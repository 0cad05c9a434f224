/**
 * Peer-compatibility modes: Lockstep reproducing other tools' results exactly, on the data in its
 * store, for checking and for continuity with published work (docs/compat.md).
 */
export {
  CNT_EDGE_CSV,
  CNT_FILE,
  type CntEdge,
  type CntOptions,
  cntCoRetweet,
  cntNodes,
  writeCntCsv,
} from './cnt.js';
export { MAX_JS_ROWS } from './common.js';
export {
  COORTWEET_FILES,
  COORTWEET_OBJECTS,
  type CoortweetEdge,
  type CoortweetNetwork,
  type CoortweetNetworkOptions,
  type CoortweetObject,
  type CoortweetOptions,
  type CoortweetPair,
  type CoortweetPairs,
  coortweetDetectGroups,
  edgeCsvColumns,
  NODE_CSV,
  PAIR_COLUMNS,
  PAIR_CSV,
  quantileType7,
  writeCoortweetCsv,
} from './coortweet.js';
export {
  type ColumnType,
  type CsvColumn,
  csvLines,
  csvText,
  fwriteDouble,
  fwriteMicrosSql,
  writeCsvFile,
} from './csv.js';
