import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntities, foldText, INVISIBLE, SPACES } from '../../src/feeds/entities.js';
import { cleanHtml, MAX_DEPTH } from '../../src/feeds/html.js';
import { canonicalProblems, referenceText, tagSoup, VECTORS } from '../helpers/hostile-html.js';

const BASE = 'https://blog.example.com/post/';
const clean = (s: string) => cleanHtml(s, BASE);

describe('cleanHtml on known attack vectors', () => {
  it.each(VECTORS)('%s', (vector) => {
    const { html } = clean(vector);
    expect(canonicalProblems(html)).toEqual([]);
    // Attributes and URL schemes are checked above; no active element survives even as a different allowed shape.
    expect(html).not.toMatch(/<(script|svg|math|iframe|object|embed|style|form|input|button|base|meta|link|frameset)\b/i);
    expect(html).not.toMatch(/(href|src)="(javascript|vbscript|data):/i);
  });
  it('keeps what the vectors carry that is harmless', () => {
    expect(clean('<a href="/relative?x=1&y=2">relative</a>').html).toBe(
      '<a href="https://blog.example.com/relative?x=1&amp;y=2" rel="noopener noreferrer nofollow">relative</a>',
    );
    expect(clean('<a href="//evil.test/">p</a>').html).toBe('<a href="https://evil.test/" rel="noopener noreferrer nofollow">p</a>');
    expect(clean('<a href="mailto:hi@ok.test" title="Say &quot;hi&quot;">mail</a>').html).toBe(
      '<a href="mailto:hi@ok.test" title="Say &quot;hi&quot;" rel="noopener noreferrer nofollow">mail</a>',
    );
    expect(clean('<img src="https://ok.test/a.png" onerror="x" ALT="A &amp; B" width=640>').html).toBe(
      '<img src="https://ok.test/a.png" alt="A &amp; B" width="640">',
    );
    // A link whose target is refused keeps its words; an image without a usable source goes.
    expect(clean('<p>go <a href="javascript:x()">there</a> <img src="data:image/png;base64,AA"></p>').html).toBe('<p>go there </p>');
  });
});

describe('cleanHtml on random tag soup', () => {
  it('always writes canonical, allowlisted, balanced HTML', () => {
    fc.assert(
      fc.property(tagSoup(), (soup) => {
        expect(canonicalProblems(clean(soup).html)).toEqual([]);
      }),
      { numRuns: 3000, seed: 20261127 },
    );
  });
  it('gives the text a reader sees in the HTML it writes', () => {
    fc.assert(
      fc.property(tagSoup(), (soup) => {
        const { html, text } = clean(soup);
        expect(text).toBe(referenceText(html, decodeEntities));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
  it('never loses text outside markup', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z ]{1,12}$/), { minLength: 1, maxLength: 8 }), fc.array(fc.constantFrom('<p>', '</p>', '<b>', '</i>', '<li>', '<section>', '<br>', '<x-y z=1>', '</table>'), { maxLength: 8 }), (words, tags) => {
        const input = words.map((w, i) => w + (tags[i] ?? '')).join('');
        const text = clean(input).text.replace(/\s+|•/g, '');
        expect(text).toBe(words.join('').replace(/\s+/g, ''));
      }),
      { numRuns: 1000, seed: 3 },
    );
  });
});

describe('cleanHtml structure', () => {
  const cases: [string, string][] = [
    ['<p>one<p>two', '<p>one</p><p>two</p>'],
    ['<p>a<div>b</div>c</p>', '<p>a</p><div>b</div>c'],
    ['<ul><li>a<li>b</ul>', '<ul><li>a</li><li>b</li></ul>'],
    ['<dl><dt>t<dd>d<dt>u</dl>', '<dl><dt>t</dt><dd>d</dd><dt>u</dt></dl>'],
    ['<table><tr><td>a<td>b<tr><td>c</table>', '<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>'],
    ['<b><i>x</b>y</i>', '<b><i>x</i></b>y'],
    ['<section><h2>T</h2><p>x</section>', '<div><h2>T</h2><p>x</p></div>'],
    ['<h2>a<h3>b</h3>', '<h2>a</h2><h3>b</h3>'],
    ['a < b > c &amp; d', 'a &lt; b > c &amp; d'],
    ['x<!-- hidden -->y<!-->z<![CDATA[w]]>v<?php echo 1 ?>u<!doctype html>t</ >s</>r', 'xyzvutsr'],
    ['<p title="a>b">x</p>', '<p>x</p>'],
    ['<p>cut <b>here', '<p>cut <b>here</b></p>'],
    ['<p>cut <a href="https://ok.test/', '<p>cut </p>'],
    ['keep<script>drop</script>keep<style>p{}</style>keep', 'keepkeepkeep'],
    ['a<svg><g><svg></svg><text>no</text></g></svg>b<svg/>c', 'abc'],
    ['a<script>never closed', 'a'],
    ['x<form><label>Name</label><input name=q></form>y', 'xNamey'],
    ['<a href="https://a.test/">one<a href="https://b.test/">two</a>', '<a href="https://a.test/" rel="noopener noreferrer nofollow">one</a><a href="https://b.test/" rel="noopener noreferrer nofollow">two</a>'],
    ['<table><tr><td><b>x</td></tr></table>', '<table><tr><td><b>x</b></td></tr></table>'],
    ['<IMG SRC="/a.png" Alt=chart>', '<img src="https://blog.example.com/a.png" alt="chart">'],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(clean(input).html).toBe(expected);
  });
  it('makes text with blocks on lines and list items bulleted', () => {
    expect(clean('<p>One &amp; two</p><p>Three<br>four</p><ul><li>a</li><li>b</li></ul><p>\u200bfive\u202e &nbsp; six</p>').text).toBe(
      'One & two\nThree\nfour\n• a\n• b\nfive six',
    );
  });
  it('keeps at most MAX_DEPTH open elements and all the text', () => {
    const deep = '<b>'.repeat(MAX_DEPTH * 3) + 'core' + '</b>'.repeat(MAX_DEPTH * 3);
    const { html, text } = clean(deep);
    expect(html.match(/<b>/g)).toHaveLength(MAX_DEPTH);
    expect(canonicalProblems(html)).toEqual([]);
    expect(text).toBe('core');
  });
  it('stays linear on inputs built to make a tokenizer backtrack', () => {
    // Each is quadratic or worse for a cleaner that rescans; here each is one pass (the suite timeout is the guard).
    const n = 200_000;
    const inputs = [
      '<b>'.repeat(n) + '</i>'.repeat(n),
      '<a href="x" '.repeat(n),
      '<!--'.repeat(n),
      '<svg>'.repeat(n),
      '<p title="'.repeat(n),
      '<'.repeat(n) + 'x',
      '</'.repeat(n),
      '&#'.repeat(n),
    ];
    for (const input of inputs) expect(canonicalProblems(clean(input).html)).toEqual([]);
  });
});

describe('foldText', () => {
  it('is the three regular expressions it replaces', () => {
    const reference = (s: string) => s.replace(INVISIBLE, '').replace(/[^\S\n]+/g, ' ').replace(/ ?\n[\s]*/g, '\n').trim();
    const unit = fc.constantFrom('a', 'b', ' ', '\n', '\r', '\t', '\u000b', '\u000c', '\u00a0', '\u200b', '\u2028', '\ufeff', '\u0085', 'é', '\u3000', '\u202e', 'x y');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (s) => {
        expect(foldText(s)).toBe(reference(s));
      }),
      { numRuns: 5000 },
    );
  });
  it('SPACES folds like /\\s+/g', () => {
    const unit = fc.constantFrom('a', ' ', '\n', '\t', '\u00a0', '\u3000', 'b');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (s) => {
        expect(s.replace(SPACES, ' ')).toBe(s.replace(/\s+/g, ' '));
      }),
      { numRuns: 3000 },
    );
  });
});
