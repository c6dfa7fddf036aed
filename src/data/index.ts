// The keyword task: generation, statistics and files.
export {
  KEYWORD_DEFAULTS,
  type KeywordConfig,
  type KeywordData,
  type KeywordVocab,
  type Sentence,
  checkKeywordConfig,
  generateKeywordData,
  generateSentence,
  keywordVocab,
  lengthRange,
} from './keyword.ts';
export { type SplitStats, formatStats, splitStats } from './split-stats.ts';
export { SPLITS, type VocabFile, readVocab, writeKeywordData } from './files.ts';
