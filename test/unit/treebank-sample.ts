// A small Stanford Sentiment Treebank–style sample for the treebank tests (unit and GPU): six
// training sentences, five classes, a label on every node, dev with a comment and a blank line.
/** A small Stanford Sentiment Treebank–style sample: five classes, a label on every node. */
export const SST = {
  train: [
    '(3 (2 It) (4 (2 ’s) (3 good)))',
    '(1 (2 The) (1 (2 film) (0 (2 is) (0 awful))))',
    '(4 (3 (2 A) (4 wonderful)) (2 film))',
    '(0 (2 It) (0 (2 ’s) (0 terrible)))',
    '(3 (2 Quite) (3 good))',
    '(1 (2 Not) (1 good))',
  ],
  dev: ['# dev', '(3 (2 It) (3 (2 ’s) (3 fine)))', '', '(0 (2 Awful) (2 film))'],
  test: ['(4 (2 A) (4 wonderful))', '(1 (2 The) (1 (2 movie) (0 (2 is) (0 awful))))'],
};
