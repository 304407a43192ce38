import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/lib/sentences.js';

describe('splitSentences', () => {
  it.each([
    ['Teams use queues, e.g. Kafka, at scale. The U.S. team led it. Version v2.5 ships today.', ['Teams use queues, e.g. Kafka, at scale.', 'The U.S. team led it.', 'Version v2.5 ships today.']],
    ['It needs Node.js 20. "Is it fast?" she asked. Yes.', ['It needs Node.js 20.', '"Is it fast?" she asked.', 'Yes.']],
    ['Dr. Smith met Prof. Jones. They talked.', ['Dr. Smith met Prof. Jones.', 'They talked.']],
    ['See Fig. 3 and the appendix, i.e. Table 2. Done.', ['See Fig. 3 and the appendix, i.e. Table 2.', 'Done.']],
    ['J. R. R. Tolkien wrote it. It sold.', ['J. R. R. Tolkien wrote it.', 'It sold.']],
    ['It costs $3.50. We paid. Really!', ['It costs $3.50.', 'We paid.', 'Really!']],
    ['Wait... What happened? Nobody knew… The end', ['Wait...', 'What happened?', 'Nobody knew…', 'The end']],
    ['He said “Go.” Then he left (quietly.) After that, silence.', ['He said “Go.”', 'Then he left (quietly.)', 'After that, silence.']],
    ['We moved to Ph.D. Programs later. Fine.', ['We moved to Ph.D. Programs later.', 'Fine.']],
    ['Caches, queues, etc. Then more. 2026 was big.', ['Caches, queues, etc. Then more.', '2026 was big.']],
    ['lower case after a stop. stays together', ['lower case after a stop. stays together']],
    ['Ünïcode works. Ärger folgt.', ['Ünïcode works.', 'Ärger folgt.']],
    ['', []],
    ['   ', []],
    ['No stop at all', ['No stop at all']],
  ])('%s', (text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });
  it('loses no text: the sentences joined are the input with its spaces', () => {
    const text = 'One. Two? Three! "Four." Five… Six (seven.) Eight e.g. nine. Ten.';
    expect(splitSentences(text).join(' ')).toBe(text);
  });
});
