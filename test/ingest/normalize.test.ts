import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePyList } from '../../src/ingest/formats/fields.js';
import { normalizeLang } from '../../src/ingest/normalize/lang.js';
import { registerNormalizers } from '../../src/ingest/normalize/sql.js';
import { normalizeTag, normalizeText } from '../../src/ingest/normalize/text.js';
import { parseTimestamp, zoneResolver } from '../../src/ingest/normalize/time.js';
import { canonicalUrl } from '../../src/ingest/normalize/url.js';

/** Strings that exercise every step of the specification, in many scripts. */
const CORPUS = [
  'Hello   World',
  '  leading and trailing  ',
  'tabs\tand\nnew\r\nlines\u000band\fforms',
  'ALL CAPS ASCII 123 !?',
  'Café crème brûlée naïve façade',
  'Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ ＃ＴＡＧ',
  'ﻻ إله ﷲ ﻣﺮﺣﺒﺎ', // Arabic presentation forms and ligatures
  'مُحَمَّد رَسُولُ اللَّهِ', // harakat
  'أحمد إبراهيم آمنة مؤمن رئيس', // hamza forms
  'سلام دنيا كتاب يكي', // Arabic yeh and kaf in Persian text
  'سلام دنیا کتاب یکی', // the same with Persian letters
  'می‌خواهم کتاب‌ها را بخوانم', // ZWNJ
  'مـــرحـــبا', // tatweel
  'سال ۱۴۰۲ و ٢٠٢٣ و 2024', // Persian, Arabic-Indic and ASCII digits
  'مدرسة الشريعة', // teh marbuta
  'Привет, Йошкар-Ола! Ёлка.', // Cyrillic with й and ё
  'ΟΔΥΣΣΕΥΣ και ὈΔΥΣΣΕΎΣ σοφός', // Greek, final sigma, accents
  'İstanbul ıspanak', // Turkish dotted/dotless i
  'नमस्ते दुनिया', // Devanagari vowel signs
  '한국어 텍스트 日本語のテキスト', // Hangul, CJK
  'zero\u200bwidth\u200cjoin\u200dand\ufeffbom\u00adsoft',
  'rtl\u200fmarks\u202eoverride\u202c',
  'emoji 👍🏽 and ZWJ family 👨‍👩‍👧',
  'math 𝐁𝐨𝐥𝐝 𝓢𝓬𝓻𝓲𝓹𝓽 ①②③ ½ ﬁ ™',
  'nbsp\u00a0and\u2003em\u3000ideographic',
  'ogham\u1680line\u2028para\u2029end',
  '\u00a0\u00a0',
  '',
  'x',
];

describe('normalisation', () => {
  let instance: DuckDBInstance;
  let sql: (expr: string, values: string[]) => Promise<(string | null)[]>;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await registerNormalizers(connection);
    sql = async (expr, values) => {
      await connection.run('CREATE OR REPLACE TEMP TABLE t (i INTEGER, v VARCHAR)');
      for (const [i, v] of values.entries()) await connection.run('INSERT INTO t VALUES (?, ?)', [i, v]);
      const rows = (await connection.runAndReadAll(`SELECT ${expr} FROM t ORDER BY i`)).getRowsJS();
      return rows.map((r) => r[0] as string | null);
    };
  });
  afterAll(() => instance.closeSync());

  it('computes the same normalised text in SQL as in TypeScript', async () => {
    const extra = ['a\u000bb', '   ', '\t\n', 'double  space and  more   ', 'Mixed CASE\r\nLine', 'x \t y'];
    const all = [...CORPUS, ...extra];
    // Texts with compatibility characters (full-width, presentation forms, NBSP) need NFKC, which
    // DuckDB lacks: SQL leaves them empty and the bulk path fills them from TypeScript afterwards.
    const compat = (s: string) => s.normalize('NFKC') !== s;
    expect(await sql('lk_norm_text(v)', all)).toEqual(
      all.map((s) => (compat(s) && !/^[\x00-\x7f]*$/.test(s) ? null : normalizeText(s))),
    );
    expect(all.filter(compat).length).toBeGreaterThan(3);
  });

  it('computes the same hashtag keys in SQL as in TypeScript', async () => {
    const tags = [
      '#KochFarms',
      '#ایران_قوی',
      '#ايران_قوي',
      '@Some_User',
      '#Café',
      '#tag with space',
      '＃TAG',
      '#TAB\tTAG',
    ];
    expect(await sql("array_to_string(lk_tags([v]), '')", tags)).toEqual(tags.map(normalizeTag));
    // A tag with compatibility characters needs NFKC: SQL sends the file down the general path.
    await expect(sql("array_to_string(lk_tags([v]), '')", ['#ＫｏｃｈＦａｒｍｓ'])).rejects.toThrow(
      /lockstep-fallback/,
    );
  });

  it('folds one-character variants the same way as whole-string Unicode normalisation', () => {
    // The per-character table must agree with NFKC + NFD + mark stripping + NFC on real text.
    const reference = (s: string) =>
      s.normalize('NFKC').normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC').toLowerCase();
    for (const s of CORPUS.filter(
      (x) =>
        !/[\u200b-\u200f\u00ad\ufeff\u202a-\u202e\u0640\u064a\u0649\u0643\u0629\u06d5\u0671\u03c2\u0660-\u0669\u06f0-\u06f9\u1680\u2028\u2029]/.test(
          x,
        ),
    )) {
      expect(normalizeText(s)).toBe(reference(s).replace(/\s+/g, ' ').trim() || null);
    }
  });

  it('folds Persian and Arabic keyboard variants to one form', () => {
    const same = ['سلام دنيا كتاب يكي', 'سلام دنیا کتاب یکی', 'سلام  دنـــیا کتاب یکی', 'سَلام دُنیا کِتاب یکی'];
    expect(new Set(same.map(normalizeText)).size).toBe(1);
    expect(normalizeText('می‌خواهم')).toBe(normalizeText('میخواهم'));
    expect(normalizeText('سال ۱۴۰۲')).toBe('سال 1402');
    expect(normalizeText('ﻣﺮﺣﺒﺎ')).toBe(normalizeText('مرحبا'));
    expect(normalizeTag('#ＫｏｃｈＦａｒｍｓ')).toBe('kochfarms');
  });

  it('canonicalises URLs', () => {
    const url = (u: string) => canonicalUrl(u)?.url;
    expect(url('HTTP://WWW.Example.COM/Path/?utm_source=tw&b=2&a=1&fbclid=x#frag')).toBe(
      'https://example.com/Path?a=1&b=2',
    );
    expect(url('https://example.com/a/')).toBe('https://example.com/a');
    expect(url('https://example.com:443/')).toBe('https://example.com');
    expect(url('https://www.instagram.com/p/abc/?igshid=123')).toBe('https://instagram.com/p/abc');
    expect(url('https://mobile.twitter.com/user/status/1?s=20&t=abc')).toBe('https://x.com/user/status/1');
    expect(url('https://youtu.be/dQw4?si=share')).toBe('https://youtube.com/watch?v=dQw4');
    expect(url('example.com/page')).toBe('https://example.com/page');
    expect(url('url_10813')).toBe('url_10813');
    expect(canonicalUrl('https://bit.ly/3abc')).toMatchObject({ domain: 'bit.ly', shortener: true });
    expect(canonicalUrl('https://example.com/x')).toMatchObject({ domain: 'example.com', shortener: false });
  });

  it('finds in SQL the domain TypeScript gives a canonical URL', async () => {
    const urls = [
      'HTTP://WWW.Example.COM/Path/?utm_source=tw&b=2&a=1&fbclid=x#frag',
      'https://user:pw@Host.Example:8080/x?',
      'https://mobile.twitter.com/user/status/1?s=20&t=abc',
      'https://youtu.be/dQw4?si=share',
      'url_10813',
      'tg://resolve?domain=x',
      'https://例え.jp/パス',
    ];
    const canonical = urls.map((u) => canonicalUrl(u)!);
    expect(
      await sql(
        'lk_url_domain(v)',
        canonical.map((c) => c.url),
      ),
    ).toEqual(canonical.map((c) => c.domain));
  });

  it('derives domains and shorteners in SQL from canonical URLs', async () => {
    const rows = await sql(
      "array_to_string(lk_domains(lk_list(v), []), ' ') || '|' || array_to_string(lk_short_urls(lk_list(v)), ' ')",
      [
        ['https://www.a.example/x', 'https://bit.ly/z', 'url_12']
          .map((u) => canonicalUrl(u)!.url)
          .join('\x1f'),
      ],
    );
    expect(rows).toEqual(['a.example bit.ly|https://bit.ly/z']);
  });

  it('reads timestamps in their many forms', () => {
    const ms = (s: string, zone?: string) => parseTimestamp(s, zoneResolver(zone));
    expect(ms('2015-10-01 00:02')).toEqual({ ms: Date.UTC(2015, 9, 1, 0, 2), zoneless: true });
    expect(ms('2021-06-01T12:00:00.5+02:00')).toEqual({
      ms: Date.UTC(2021, 5, 1, 10, 0, 0, 500),
      zoneless: false,
    });
    expect(ms('Wed Oct 10 20:19:24 +0000 2018')?.ms).toBe(Date.UTC(2018, 9, 10, 20, 19, 24));
    expect(ms('1623881091')?.ms).toBe(1623881091000);
    expect(ms('1623881091000')?.ms).toBe(1623881091000);
    expect(ms('2015-10-01 03:00', '+03:00')?.ms).toBe(Date.UTC(2015, 9, 1, 0, 0));
    expect(ms('2024-06-15 12:00', 'America/New_York')?.ms).toBe(Date.UTC(2024, 5, 15, 16, 0));
    expect(ms('2024-01-15 12:00', 'America/New_York')?.ms).toBe(Date.UTC(2024, 0, 15, 17, 0));
    expect(ms('2015-02-30 10:00')).toBeNull();
    expect(ms('not a date')).toBeNull();
    expect(() => zoneResolver('Mars/Olympus')).toThrow(RangeError);
  });

  it('parses Python list literals as the X archive writes them', () => {
    expect(parsePyList("['a', 'b']")).toEqual(['a', 'b']);
    expect(parsePyList("[\"it's\", 'x']")).toEqual(["it's", 'x']);
    expect(parsePyList('[123, 456]')).toEqual(['123', '456']);
    expect(parsePyList('[]')).toEqual([]);
    expect(parsePyList('absent')).toEqual([]);
    expect(parsePyList("['caf\\xe9', 'a\\'b']")).toEqual(['café', "a'b"]);
  });

  it('reads language labels of every source', () => {
    expect(
      ['en', 'en-US', 'English', 'Farsi', 'Russian', 'und', 'LANGUAGE UNDEFINED', ''].map(normalizeLang),
    ).toEqual(['en', 'en', 'en', 'fa', 'ru', null, null, null]);
  });
});
