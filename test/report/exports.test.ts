/**
 * The GEXF, GraphML and CSV exports of a detection result: they always parse (strict readers in
 * ./readers.ts, written from the XML 1.0 and RFC 4180 texts), carry every node, edge, row and value
 * exactly, have the structure Gephi reads, and keep attacker-controlled text (handles, names, post
 * text, URLs) from breaking the files or running as spreadsheet formulas.
 *
 * The result is built by hand: three clusters on three platforms, English, Persian, Arabic and
 * emoji text, and OWASP's CSV-injection payloads, XML metacharacters, control characters and lone
 * surrogates in every free-text field. A seeded fuzz pass then puts random code units everywhere.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/core/errors.js';
import type {
  Cluster,
  DetectionResult,
  Edge,
  Evidence,
  EvidencePost,
  Member,
  SignalParams,
} from '../../src/detect/types.js';
import { CSV_BOM, csvCell, csvRow } from '../../src/report/csv.js';
import { writeFileAtomic } from '../../src/report/exports/files.js';
import {
  CLUSTER_PALETTE,
  CSV_FILES,
  toGexf,
  toGraphml,
  writeCsvExports,
  writeExports,
} from '../../src/report/exports/index.js';
import type { SignalName } from '../../src/signals/types.js';
import { scratch } from '../helpers/store.js';
import { element, elements, isXmlChar, parseCsv, parseXml, textOf, type XmlElement } from './readers.js';

// ---------------------------------------------------------------------------------------------
// Expected values, computed from the specifications, independently of the writers.

/** XML 1.0 cannot carry non-`Char` code points: the exports must show U+FFFD in their place. */
function xmlExpected(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    out += c >= 0xd800 && c <= 0xdfff ? '\uFFFD' : isXmlChar(c) ? s[i] : '\uFFFD';
  }
  return out;
}

/** CSV replaces C0 controls (but tab, LF, CR) and lone surrogates; U+FFFE and U+FFFF are fine in UTF-8. */
function csvClean(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    const bad = (c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) || (c >= 0xd800 && c <= 0xdfff);
    out += bad ? '\uFFFD' : s[i];
  }
  return out;
}

/** OWASP's formula triggers and the look-alikes the exports also neutralise. */
const TRIGGERS = '=+-@\t\r\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B\u2212';

/**
 * A spreadsheet cell is safe when it is a plain number (a numeric column: `-16.9` is a number to a
 * spreadsheet, not a formula) or when neither its first character nor its first visible one can
 * start a formula.
 */
function isSafeCell(cell: string): boolean {
  if (cell === '' || /^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(cell)) return true;
  if (TRIGGERS.includes(cell[0]!)) return false;
  const visible = cell.replace(/^[\s\p{Cc}\p{Cf}]*/u, '');
  return visible === '' || !TRIGGERS.includes(String.fromCodePoint(visible.codePointAt(0)!));
}

/** Undoes the guard: a text cell starting with `'` had exactly one quote added. */
const unguard = (cell: string): string => (cell.startsWith("'") ? cell.slice(1) : cell);

// ---------------------------------------------------------------------------------------------
// A realistic result, by hand.

const PAYLOADS = {
  hyperlink: '=HYPERLINK("http://evil.example","x")',
  dde: "+cmd|' /C calc'!A0",
  at: '@SUM(1+1)',
  minus: '-2+3',
  tab: '\t=1+1',
  cr: '\r=1+1',
  fullWidth: '\uFF1D1+1',
  rlm: '\u200F=HYPERLINK("http://evil.example")',
  script: '<script>alert("x")</script>',
  cdata: 'end ]]> of section',
  entity: '&amp; is not &, &lt;b&gt;',
  controls: 'bell\u0007 esc\u001b nul\u0000 vt\u000b end',
  loneHigh: 'broken \uD83D pair',
  loneLow: '\uDC00 starts low',
  nonChars: 'reserved \uFFFE and \uFFFF',
  quotes: `it's "quoted", isn't it`,
  apostrophe: "'=already quoted",
};

const SIGNALS: SignalName[] = [
  'shared-object',
  'shared-link',
  'shared-hashtag',
  'reply-target',
  'mention-target',
  'near-duplicate',
  'shared-media',
  'synchrony',
];

function member(
  platform: string,
  accountId: string,
  handle: string | null,
  displayName: string | null,
  i: number,
): Member {
  return {
    key: `${platform}:${accountId}`,
    platform,
    accountId,
    handle,
    displayName,
    posts: 40 + i * 17,
    strength: 1 - i / 10,
    coActions: 12 - i,
  };
}

function post(
  m: Member,
  postId: string,
  createdAt: string,
  deltaSeconds: number,
  text: string | null,
  urls: string[] = [],
): EvidencePost {
  return {
    platform: m.platform,
    postId,
    accountId: m.accountId,
    handle: m.handle,
    createdAt,
    deltaSeconds,
    kind: 'post',
    text,
    urls,
  };
}

function cluster(id: string, members: Member[], evidence: Evidence[], extra: Partial<Cluster> = {}): Cluster {
  return {
    id,
    size: members.length,
    accounts: members.map((m) => m.accountId),
    members,
    score: 0.91,
    confidence: 'high',
    pValue: 1.2e-17,
    log10P: Math.log10(1.2e-17),
    observed: 48,
    expected: 3.7,
    density: 0.83,
    signals: [
      { signal: 'shared-link', coActions: 30, share: 0.625 },
      { signal: 'shared-hashtag', coActions: 18, share: 0.375 },
    ],
    days: 9,
    first: '2025-10-02T08:15:00Z',
    last: '2025-10-29T17:02:44Z',
    medianDeltaSeconds: 41,
    pattern: 'sustained',
    openIndicators: [],
    notes: ['Consistent with a run operation: repeated over 9 days.', 'Members share a creation batch?'],
    evidence,
    ...extra,
  };
}

function buildResult(): DetectionResult {
  // C1: a Persian-language network on X.
  const c1 = [
    member('twitter', '1001', 'mehr_news_fa', 'خبرگزاری مهر\u200Cنیوز 🇮🇷', 0),
    member('twitter', '1002', 'sara.tehrani', PAYLOADS.hyperlink, 1),
    member('twitter', '1003', PAYLOADS.at, 'علی رضایی 🌹', 2),
    member('twitter', '1004', 'vatan_emrooz', null, 3),
  ];
  // C2: Telegram channels and Bluesky accounts, with the nastiest names.
  const c2 = [
    member('telegram', '-1001234567890', null, PAYLOADS.script, 0),
    member('telegram', '-1009876543210', 'news\tchannel', `${PAYLOADS.cdata} ${PAYLOADS.entity}`, 1),
    member('bluesky', 'did:plc:ewvi7nxzyoun6zhxrhs64oiz', 'watcher.bsky.social', PAYLOADS.controls, 2),
    member('bluesky', 'did:plc:44ybard66vv44zksje25o7dz', PAYLOADS.loneHigh, PAYLOADS.nonChars, 3),
  ];
  // C3: Arabic and English accounts with injection payloads as handles.
  const c3 = [
    member('twitter', '2001', PAYLOADS.dde, 'قناة الأخبار العاجلة', 0),
    member('twitter', '2002', PAYLOADS.minus, 'Breaking   News\nDesk', 1),
    member('twitter', '2003', PAYLOADS.tab, PAYLOADS.cr, 2),
  ];
  const link = 'https://news.example/article?id=42&ref=tw';
  const e1: Evidence[] = [
    {
      signal: 'shared-link',
      object: link,
      objectLabel: 'link',
      accounts: 3,
      spanSeconds: 95,
      posts: [
        post(
          c1[0]!,
          '1790000000000000001',
          '2025-10-02T08:15:00Z',
          0,
          'گزارش ویژه: «حقیقت» را ببینید #ایران\n' + link,
          [link],
        ),
        post(c1[1]!, '1790000000000000002', '2025-10-02T08:15:41Z', 41, PAYLOADS.hyperlink, [link]),
        post(c1[2]!, '1790000000000000003', '2025-10-02T08:16:35.250Z', 95.25, 'ببینید 👍🏽 ' + link, [link]),
      ],
    },
    {
      signal: 'shared-hashtag',
      object: '#ایران_قوی',
      objectLabel: 'hashtag',
      accounts: 2,
      spanSeconds: 12,
      posts: [
        post(c1[3]!, '1790000000000000010', '2025-10-09 19:00:00', 0, PAYLOADS.minus),
        post(c1[0]!, '1790000000000000011', '2025-10-09T22:30:12+03:30', 12, '#ایران_قوی\r\nبا هم'),
      ],
    },
  ];
  const e2: Evidence[] = [
    {
      signal: 'shared-object',
      object: PAYLOADS.dde,
      objectLabel: 'forwarded post',
      accounts: 4,
      spanSeconds: 3,
      posts: c2.map((m, i) =>
        post(
          m,
          `msg-${i}`,
          `2025-10-20T10:00:0${i}Z`,
          i,
          [PAYLOADS.controls, PAYLOADS.loneLow, PAYLOADS.nonChars, null][i] ?? null,
        ),
      ),
    },
  ];
  const e3: Evidence[] = [
    {
      signal: 'near-duplicate',
      object: 'عاجل: انفجار في الميناء',
      objectLabel: 'text family',
      accounts: 3,
      spanSeconds: 60,
      posts: [
        post(c3[0]!, '1800000000000000001', '2025-10-25T06:00:00Z', 0, 'عَاجِل: انفجار في الميناء 💥'),
        post(c3[1]!, '1800000000000000002', '2025-10-25T06:00:30Z', 30, PAYLOADS.tab),
        post(
          c3[2]!,
          '1800000000000000003',
          '2025-10-25T06:01:00Z',
          60,
          `${PAYLOADS.apostrophe} ${PAYLOADS.quotes}`,
          ['https://a.example/x,y', 'https://b.example/"q"'],
        ),
      ],
    },
  ];
  const clusters = [
    cluster('C1', c1, e1),
    cluster('C2', c2, e2, {
      score: 0.64,
      confidence: 'medium',
      pattern: 'single-episode',
      openIndicators: ['single-episode', 'shared-name'],
      days: 1,
      first: '2025-10-20T10:00:00Z',
      last: '2025-10-20T10:00:03Z',
    }),
    cluster('C3', c3, e3, { score: 0.41, confidence: 'low', notes: [PAYLOADS.hyperlink] }),
  ];
  const edge = (s: Member, t: Member, coActions: number, weight: number, signals: SignalName[]): Edge => ({
    source: s.key,
    target: t.key,
    coActions,
    expected: coActions / 23.7,
    pValue: 10 ** -coActions * 3.3,
    log10P: Math.log10(3.3) - coActions,
    weight,
    signals,
  });
  const edges: Edge[] = [
    edge(c1[0]!, c1[1]!, 11, 27.318440923, ['shared-link', 'shared-hashtag']),
    edge(c1[0]!, c1[2]!, 9, 19.0000001, ['shared-link']),
    edge(c1[1]!, c1[2]!, 8, 0.1 + 0.2, ['shared-link']),
    edge(c1[2]!, c1[3]!, 6, 4.5e-7, ['shared-hashtag']),
    edge(c2[0]!, c2[1]!, 5, 3.25, ['shared-object']),
    edge(c2[1]!, c2[2]!, 5, 3.25, ['shared-object']),
    edge(c2[2]!, c2[3]!, 4, 2, ['shared-object']),
    edge(c3[0]!, c3[1]!, 7, 12.5, ['near-duplicate']),
    edge(c3[1]!, c3[2]!, 6, 1e21, ['near-duplicate', 'synchrony']),
  ];
  const signalParams = (name: SignalName): SignalParams => ({
    enabled: name !== 'synchrony',
    window: 60,
    windowSource: 'estimated',
    windowEstimate: 58,
    options: name === 'shared-link' ? { level: 'url' } : {},
  });
  return {
    tool: { name: 'lockstep', version: '0.1.0' },
    createdAt: '2025-11-03T21:47:09.512Z',
    params: {
      signals: Object.fromEntries(SIGNALS.map((s) => [s, signalParams(s)])) as Record<
        SignalName,
        SignalParams
      >,
      minParticipation: 3,
      fdr: 0.05,
      crowdCap: 500,
      minClusterSize: 3,
      neighbours: 20,
      seed: 7,
    },
    inputs: [
      {
        file: 'posts <2025>&"q".csv',
        sha256: 'ab'.repeat(32),
        format: 'io-archive',
        rows: 49507,
        ingestedAt: '2025-11-03T21:40:00Z',
      },
    ],
    data: {
      posts: 49507,
      accounts: 3485,
      platforms: ['twitter', 'telegram', 'bluesky'],
      span: { start: '2025-10-01T00:00:00Z', end: '2025-10-31T23:59:59Z' },
      timeResolution: 'second',
    },
    stats: {
      signals: {},
      pairsTested: 120_000,
      significantPairs: 9,
      pThreshold: 3.3e-6,
      accountsInClusters: 11,
      seconds: 4.2,
    },
    clusters,
    edges,
    limits: ['Telegram exports have no reposts.'],
  };
}

const result = buildResult();
const members = result.clusters.flatMap((c) => c.members.map((m) => ({ m, c })));
const memberByKey = new Map(members.map((x) => [x.m.key, x]));
const evidencePosts = result.clusters.flatMap((c) =>
  c.evidence.flatMap((e, i) => e.posts.map((p, j) => ({ c, e, i, p, j }))),
);

// ---------------------------------------------------------------------------------------------

describe('the strict readers used here', () => {
  it('reject what XML 1.0 and RFC 4180 reject, and normalise as a conforming parser does', () => {
    const bad = [
      '<a b="<"/>',
      '<a>&foo;</a>',
      '<a>]]></a>',
      '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
      '<a>\u0001</a>',
      '<a>&#1;</a>',
      '<a>\uD800</a>',
      '<a></b>',
      '<a x="1" x="2"/>',
      '<v:a/>',
      '<a/><b/>',
      '<a>&amp</a>',
    ];
    for (const doc of bad) expect(() => parseXml(doc), JSON.stringify(doc)).toThrow(/not well-formed/);
    const ok = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\r\n<a b="x&#10;y\tz\r\nw"><c>1\r\n2&#13;</c></a>',
    );
    expect(ok.attrs.b).toBe('x\ny z w');
    expect(textOf(element(ok, 'c'))).toBe('1\n2\r');
    for (const doc of ['a,"b"c\r\n', 'a,b"\r\n', 'a\n', 'a,b'])
      expect(() => parseCsv(doc)).toThrow(/not RFC 4180/);
    expect(parseCsv('a,"b,""c""\r\nd",\r\n')).toEqual([['a', 'b,"c"\r\nd', '']]);
  });
});

describe('csvCell and csvRow', () => {
  it('neutralises every formula payload with one leading quote and quotes per RFC 4180', () => {
    const cases: [string, string][] = [
      [PAYLOADS.hyperlink, `"'=HYPERLINK(""http://evil.example"",""x"")"`],
      [PAYLOADS.dde, `'+cmd|' /C calc'!A0`],
      [PAYLOADS.at, `'@SUM(1+1)`],
      [PAYLOADS.minus, `'-2+3`],
      ['\t=1+1', `'\t=1+1`],
      ['\r=1+1', `"'\r=1+1"`],
      ['\n=1+1', `"'\n=1+1"`],
      ['  =1+1', `'  =1+1`],
      [PAYLOADS.rlm, `"'\u200F=HYPERLINK(""http://evil.example"")"`],
      ['\uFEFF@x', `'\uFEFF@x`],
      ['\uFF1D1+1', `'\uFF1D1+1`],
      ['\uFF0Bx', `'\uFF0Bx`],
      ['\uFF0D1', `'\uFF0D1`],
      ['\uFF20x', `'\uFF20x`],
      ['\u22121', `'\u22121`],
      ["'=x", `''=x`],
      ["it's", `it's`],
      ['-1001234567890', `'-1001234567890`],
      ['plain text', 'plain text'],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['line\nbreak', '"line\nbreak"'],
      ['سلام، دنیا', 'سلام، دنیا'],
      ['a\u0000b\uD800c\u0007', 'a\uFFFDb\uFFFDc\uFFFD'],
      ['', ''],
    ];
    for (const [input, expected] of cases) expect(csvCell(input), JSON.stringify(input)).toBe(expected);
  });

  it('writes numbers as numbers, negative ones included, and non-numbers as guarded text', () => {
    expect(csvCell(-2.5)).toBe('-2.5');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(-0)).toBe('0');
    expect(csvCell(1e-12)).toBe('1e-12');
    expect(csvCell(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvCell(Number.NaN)).toBe('NaN');
    expect(csvCell(Number.NEGATIVE_INFINITY)).toBe("'-Infinity");
    expect(csvCell(-12n)).toBe('-12');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvRow(['a', -1, null, '=1'])).toBe("a,-1,,'=1\r\n");
  });

  it('round-trips any text: parse, drop the guard quote, get the cleaned text back, never a live formula', () => {
    const rng = mulberry32(20251103);
    for (let n = 0; n < 2000; n++) {
      const s = randomText(rng, 1 + Math.floor(rng() * 12));
      const [row] = parseCsv(csvRow([s, 'x']));
      expect(row).toHaveLength(2);
      expect(isSafeCell(row![0]!), JSON.stringify(s)).toBe(true);
      expect(unguard(row![0]!)).toBe(csvClean(s));
    }
  });
});

describe('GEXF export', () => {
  let gexf: string;
  let root: XmlElement;
  let graph: XmlElement;
  beforeAll(() => {
    gexf = toGexf(result);
    root = parseXml(gexf);
    graph = element(root, 'graph');
  });

  it('is GEXF 1.3 as Gephi reads it: root, namespaces, meta, a static undirected graph', () => {
    expect(root.name).toBe('gexf');
    expect(root.attrs.xmlns).toBe('http://gexf.net/1.3');
    expect(root.attrs['xmlns:viz']).toBe('http://gexf.net/1.3/viz');
    expect(root.attrs.version).toBe('1.3');
    expect(gexf).not.toMatch(/<!DOCTYPE|<!ENTITY/);
    const meta = element(root, 'meta');
    expect(meta.attrs.lastmodifieddate).toBe('2025-11-03');
    expect(textOf(element(meta, 'creator'))).toBe('Lockstep 0.1.0');
    const description = textOf(element(meta, 'description'));
    expect(description).toContain('3 clusters, 11 accounts, 9 significant pairs');
    expect(description).toContain('posts <2025>&"q".csv');
    expect(elements(root).map((e) => e.name)).toEqual(['meta', 'graph']);
    expect(graph.attrs.defaultedgetype).toBe('undirected');
    expect(graph.attrs.mode).toBe('static');
    // The schema's order: attribute declarations, then nodes, then edges.
    expect(elements(graph).map((e) => `${e.name}${e.attrs.class ? `.${e.attrs.class}` : ''}`)).toEqual([
      'attributes.node',
      'attributes.edge',
      'nodes',
      'edges',
    ]);
  });

  it('declares typed node and edge attributes', () => {
    const declared = (cls: string) =>
      elements(elements(graph, 'attributes').find((a) => a.attrs.class === cls)!, 'attribute').map(
        (a) => `${a.attrs.id}=${a.attrs.title}:${a.attrs.type}`,
      );
    expect(declared('node')).toEqual([
      'platform=platform:string',
      'account_id=account_id:string',
      'handle=handle:string',
      'display_name=display_name:string',
      'cluster=cluster:string',
      'cluster_score=cluster_score:double',
      'confidence=confidence:string',
      'posts=posts:integer',
      'strength=strength:double',
      'co_actions=co_actions:integer',
    ]);
    expect(declared('edge')).toEqual([
      'cluster=cluster:string',
      'co_actions=co_actions:integer',
      'expected=expected:double',
      'p_value=p_value:double',
      'log10_p=log10_p:double',
      'signals=signals:string',
    ]);
  });

  const attvalues = (el: XmlElement): Record<string, string> => {
    const out: Record<string, string> = {};
    const container = elements(el, 'attvalues')[0];
    for (const v of container ? elements(container, 'attvalue') : []) {
      expect(Object.hasOwn(out, v.attrs.for!), `duplicate attvalue ${v.attrs.for}`).toBe(false);
      out[v.attrs.for!] = v.attrs.value!;
    }
    return out;
  };

  it('has every cluster member as a node with exact attribute values', () => {
    const nodes = elements(element(graph, 'nodes'), 'node');
    expect(Number(element(graph, 'nodes').attrs.count)).toBe(nodes.length);
    expect(nodes).toHaveLength(result.clusters.reduce((n, c) => n + c.size, 0));
    expect(new Set(nodes.map((n) => n.attrs.id)).size).toBe(nodes.length);
    for (const node of nodes) {
      const found = memberByKey.get(node.attrs.id!);
      expect(found, node.attrs.id).toBeDefined();
      const { m, c } = found!;
      const v = attvalues(node);
      const expected: Record<string, string> = {
        platform: m.platform,
        account_id: m.accountId,
        cluster: c.id,
        confidence: c.confidence,
      };
      if (m.handle !== null) expected.handle = xmlExpected(m.handle);
      if (m.displayName !== null) expected.display_name = xmlExpected(m.displayName);
      const { cluster_score, posts, strength, co_actions, ...strings } = v;
      expect(strings).toEqual(expected);
      expect(Number(cluster_score)).toBe(c.score);
      expect(Number(posts)).toBe(m.posts);
      expect(Number(strength)).toBe(m.strength);
      expect(Number(co_actions)).toBe(m.coActions);
      expect(posts).toMatch(/^\d+$/);
      // Labels are xsd:token: no line breaks, tabs or runs of spaces.
      expect(node.attrs.label).toMatch(/^[^ \t\n\r]+( [^ \t\n\r]+)*$/);
    }
    const byId = new Map(nodes.map((n) => [n.attrs.id!, n]));
    expect(byId.get('twitter:2002')!.attrs.label).toBe('-2+3');
    expect(byId.get('telegram:-1001234567890')!.attrs.label).toBe('<script>alert("x")</script>');
    expect(attvalues(byId.get('telegram:-1009876543210')!).handle).toBe('news\tchannel');
    expect(attvalues(byId.get('twitter:2003')!).display_name).toBe('\r=1+1');
    expect(attvalues(byId.get('bluesky:did:plc:44ybard66vv44zksje25o7dz')!).handle).toBe(
      'broken \uFFFD pair',
    );
    expect(attvalues(byId.get('bluesky:did:plc:ewvi7nxzyoun6zhxrhs64oiz')!).display_name).toBe(
      'bell\uFFFD esc\uFFFD nul\uFFFD vt\uFFFD end',
    );
    expect(attvalues(byId.get('twitter:1004')!)).not.toHaveProperty('display_name');
  });

  it('colours each cluster with its own palette colour', () => {
    const nodes = elements(element(graph, 'nodes'), 'node');
    const colourOf = (n: XmlElement) => {
      const c = element(n, 'viz:color');
      for (const k of ['r', 'g', 'b']) expect(c.attrs[k]).toMatch(/^(\d|[1-9]\d|1\d\d|2[0-4]\d|25[0-5])$/);
      return `${c.attrs.r},${c.attrs.g},${c.attrs.b}`;
    };
    const perCluster = new Map<string, Set<string>>();
    for (const n of nodes) {
      const cl = memberByKey.get(n.attrs.id!)!.c.id;
      perCluster.set(cl, (perCluster.get(cl) ?? new Set()).add(colourOf(n)));
    }
    expect([...perCluster.values()].every((s) => s.size === 1)).toBe(true);
    const colours = [...perCluster.values()].map((s) => [...s][0]);
    expect(new Set(colours).size).toBe(result.clusters.length);
    expect(colours[0]).toBe(`${CLUSTER_PALETTE[0]!.r},${CLUSTER_PALETTE[0]!.g},${CLUSTER_PALETTE[0]!.b}`);
  });

  it('has every edge with its weight and attributes, between declared nodes', () => {
    const nodeIds = new Set(elements(element(graph, 'nodes'), 'node').map((n) => n.attrs.id));
    const edges = elements(element(graph, 'edges'), 'edge');
    expect(Number(element(graph, 'edges').attrs.count)).toBe(edges.length);
    expect(edges).toHaveLength(result.edges.length);
    expect(new Set(edges.map((e) => e.attrs.id)).size).toBe(edges.length);
    edges.forEach((el, i) => {
      const e = result.edges[i]!;
      expect(nodeIds.has(el.attrs.source)).toBe(true);
      expect(nodeIds.has(el.attrs.target)).toBe(true);
      expect([el.attrs.source, el.attrs.target]).toEqual([e.source, e.target]);
      expect(Number(el.attrs.weight)).toBe(e.weight);
      const v = attvalues(el);
      expect(v.cluster).toBe(memberByKey.get(e.source)!.c.id);
      expect(Number(v.co_actions)).toBe(e.coActions);
      expect(Number(v.log10_p)).toBe(e.log10P);
      expect(Number(v.expected)).toBe(e.expected);
      expect(Number(v.p_value)).toBe(e.pValue);
      expect(v.signals!.split(';')).toEqual(e.signals);
    });
  });

  it('uses only declared attribute ids', () => {
    const ids = (cls: string) =>
      new Set(
        elements(elements(graph, 'attributes').find((a) => a.attrs.class === cls)!, 'attribute').map(
          (a) => a.attrs.id,
        ),
      );
    for (const [cls, container] of [
      ['node', 'nodes'],
      ['edge', 'edges'],
    ] as const) {
      const declared = ids(cls);
      for (const item of elements(element(graph, container))) {
        for (const key of Object.keys(attvalues(item))) expect(declared.has(key)).toBe(true);
      }
    }
  });
});

describe('GraphML export', () => {
  let root: XmlElement;
  let keys: Map<string, XmlElement>;
  let graph: XmlElement;
  beforeAll(() => {
    root = parseXml(toGraphml(result));
    keys = new Map(elements(root, 'key').map((k) => [k.attrs.id!, k]));
    graph = element(root, 'graph');
  });

  const data = (el: XmlElement, forWhat: 'node' | 'edge'): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const d of elements(el, 'data')) {
      const key = keys.get(d.attrs.key!);
      expect(key, `undeclared key ${d.attrs.key}`).toBeDefined();
      expect(key!.attrs.for).toBe(forWhat);
      const value = textOf(d);
      const type = key!.attrs['attr.type'];
      if (type === 'int') expect(value).toMatch(/^-?\d+$/);
      if (type === 'double') expect(Number.isFinite(Number(value))).toBe(true);
      out[key!.attrs['attr.name']!] = value;
    }
    return out;
  };

  it('is GraphML with typed keys and an undirected graph', () => {
    expect(root.name).toBe('graphml');
    expect(root.attrs.xmlns).toBe('http://graphml.graphdrawing.org/xmlns');
    expect(graph.attrs.edgedefault).toBe('undirected');
    const typed = [...keys.values()].map(
      (k) => `${k.attrs.for}:${k.attrs['attr.name']}:${k.attrs['attr.type']}`,
    );
    expect(typed).toEqual([
      'node:label:string',
      'node:platform:string',
      'node:account_id:string',
      'node:handle:string',
      'node:display_name:string',
      'node:cluster:string',
      'node:cluster_score:double',
      'node:confidence:string',
      'node:posts:int',
      'node:strength:double',
      'node:co_actions:int',
      'node:r:int',
      'node:g:int',
      'node:b:int',
      'edge:weight:double',
      'edge:cluster:string',
      'edge:co_actions:int',
      'edge:expected:double',
      'edge:p_value:double',
      'edge:log10_p:double',
      'edge:signals:string',
    ]);
    expect(textOf(element(graph, 'desc'))).toContain('Lockstep 0.1.0');
  });

  it('round-trips nodes and edges exactly', () => {
    const nodes = elements(graph, 'node');
    expect(nodes).toHaveLength(members.length);
    for (const node of nodes) {
      const { m, c } = memberByKey.get(node.attrs.id!)!;
      const v = data(node, 'node');
      expect(v.platform).toBe(m.platform);
      expect(v.account_id).toBe(m.accountId);
      expect(v.handle).toBe(m.handle === null ? undefined : xmlExpected(m.handle));
      expect(v.display_name).toBe(m.displayName === null ? undefined : xmlExpected(m.displayName));
      expect(v.cluster).toBe(c.id);
      expect(Number(v.cluster_score)).toBe(c.score);
      expect(Number(v.posts)).toBe(m.posts);
      expect(Number(v.strength)).toBe(m.strength);
      expect(Number(v.co_actions)).toBe(m.coActions);
      expect(v.label).toBe(xmlExpected(m.handle ?? m.displayName ?? m.accountId));
    }
    const edges = elements(graph, 'edge');
    expect(edges).toHaveLength(result.edges.length);
    const nodeIds = new Set(nodes.map((n) => n.attrs.id));
    edges.forEach((el, i) => {
      const e = result.edges[i]!;
      expect(nodeIds.has(el.attrs.source) && nodeIds.has(el.attrs.target)).toBe(true);
      const v = data(el, 'edge');
      expect(Number(v.weight)).toBe(e.weight);
      expect(Number(v.p_value)).toBe(e.pValue);
      expect(Number(v.expected)).toBe(e.expected);
      expect(Number(v.co_actions)).toBe(e.coActions);
      expect(Number(v.log10_p)).toBe(e.log10P);
      expect(v.signals).toBe(e.signals.join(';'));
    });
  });
});

describe('fuzzed text in every field', () => {
  it('keeps GEXF, GraphML and CSV parseable and exact for random code units', () => {
    const rng = mulberry32(42);
    for (let round = 0; round < 40; round++) {
      const fuzzed = buildResult();
      for (const c of fuzzed.clusters) {
        for (const m of c.members) {
          m.handle = randomText(rng, 8);
          m.displayName = randomText(rng, 16);
        }
        for (const e of c.evidence) {
          e.object = randomText(rng, 10);
          for (const p of e.posts) p.text = randomText(rng, 40);
        }
      }
      const gexfNodes = elements(element(element(parseXml(toGexf(fuzzed)), 'graph'), 'nodes'), 'node');
      const graphmlNodes = elements(element(parseXml(toGraphml(fuzzed)), 'graph'), 'node');
      const flat = fuzzed.clusters.flatMap((c) => c.members);
      flat.forEach((m, i) => {
        const gexfValues = elements(element(gexfNodes[i]!, 'attvalues'), 'attvalue');
        expect(gexfValues.find((v) => v.attrs.for === 'handle')?.attrs.value).toBe(xmlExpected(m.handle!));
        expect(gexfValues.find((v) => v.attrs.for === 'display_name')?.attrs.value).toBe(
          xmlExpected(m.displayName!),
        );
        const graphmlHandle = elements(graphmlNodes[i]!, 'data').find((d) => d.attrs.key === 'handle');
        expect(textOf(graphmlHandle!)).toBe(xmlExpected(m.handle!));
      });
    }
  });
});

describe('CSV files', () => {
  const dir = scratch();
  afterAll(() => dir.cleanup());
  const out = join(dir.dir, 'nested', 'csv');
  let paths: string[];
  beforeAll(() => {
    paths = writeCsvExports(result, out);
  });
  const read = (name: string) => {
    const raw = readFileSync(join(out, name), 'utf8');
    expect(raw.startsWith(CSV_BOM)).toBe(true);
    const rows = parseCsv(raw.slice(1));
    for (const row of rows)
      for (const cell of row) expect(isSafeCell(cell), `${name}: ${JSON.stringify(cell)}`).toBe(true);
    const [header, ...body] = rows;
    return { header: header!, body, get: (row: string[], col: string) => row[header!.indexOf(col)]! };
  };

  it('writes the four tables, UTF-8 with a BOM, each with a header row', () => {
    expect(paths).toEqual(CSV_FILES.map((f) => join(out, f)));
    expect(readdirSync(out).sort()).toEqual([...CSV_FILES].sort());
    const bytes = readFileSync(paths[0]!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(read('members.csv').header).toEqual([
      'cluster',
      'rank',
      'key',
      'platform',
      'account_id',
      'handle',
      'display_name',
      'posts',
      'strength',
      'co_actions',
      'cluster_score',
      'confidence',
    ]);
  });

  it('reconciles row counts with the result', () => {
    expect(read('clusters.csv').body).toHaveLength(result.clusters.length);
    expect(read('members.csv').body).toHaveLength(result.clusters.reduce((n, c) => n + c.size, 0));
    expect(read('edges.csv').body).toHaveLength(result.edges.length);
    expect(read('evidence.csv').body).toHaveLength(evidencePosts.length);
    for (const name of CSV_FILES) {
      const t = read(name);
      for (const row of t.body) expect(row).toHaveLength(t.header.length);
    }
  });

  it('members.csv carries every member exactly, payloads neutralised, numbers numeric', () => {
    const t = read('members.csv');
    t.body.forEach((row, i) => {
      const { m, c } = members[i]!;
      expect(t.get(row, 'cluster')).toBe(c.id);
      expect(Number(t.get(row, 'rank'))).toBe(c.members.indexOf(m) + 1);
      expect(unguard(t.get(row, 'key'))).toBe(m.key);
      expect(unguard(t.get(row, 'account_id'))).toBe(m.accountId);
      expect(unguard(t.get(row, 'handle'))).toBe(m.handle === null ? '' : csvClean(m.handle));
      expect(unguard(t.get(row, 'display_name'))).toBe(m.displayName === null ? '' : csvClean(m.displayName));
      expect(Number(t.get(row, 'posts'))).toBe(m.posts);
      expect(Number(t.get(row, 'strength'))).toBe(m.strength);
      expect(Number(t.get(row, 'cluster_score'))).toBe(c.score);
    });
    const byKey = new Map(t.body.map((r) => [unguard(t.get(r, 'key')), r]));
    expect(t.get(byKey.get('twitter:1002')!, 'display_name')).toBe(`'${PAYLOADS.hyperlink}`);
    expect(t.get(byKey.get('twitter:1003')!, 'handle')).toBe(`'${PAYLOADS.at}`);
    expect(t.get(byKey.get('twitter:2001')!, 'handle')).toBe(`'${PAYLOADS.dde}`);
    expect(t.get(byKey.get('twitter:2002')!, 'handle')).toBe(`'${PAYLOADS.minus}`);
    expect(t.get(byKey.get('twitter:2003')!, 'handle')).toBe(`'${PAYLOADS.tab}`);
    expect(t.get(byKey.get('twitter:2003')!, 'display_name')).toBe(`'${PAYLOADS.cr}`);
    expect(t.get(byKey.get('telegram:-1001234567890')!, 'account_id')).toBe("'-1001234567890");
    expect(t.get(byKey.get('twitter:1001')!, 'display_name')).toBe('خبرگزاری مهر\u200Cنیوز 🇮🇷');
  });

  it('edges.csv and clusters.csv carry the numbers exactly', () => {
    const e = read('edges.csv');
    e.body.forEach((row, i) => {
      const edge = result.edges[i]!;
      expect([unguard(e.get(row, 'source')), unguard(e.get(row, 'target'))]).toEqual([
        edge.source,
        edge.target,
      ]);
      expect(Number(e.get(row, 'weight'))).toBe(edge.weight);
      expect(Number(e.get(row, 'p_value'))).toBe(edge.pValue);
      expect(Number(e.get(row, 'expected'))).toBe(edge.expected);
      expect(e.get(row, 'signals')).toBe(edge.signals.join(';'));
      expect(unguard(e.get(row, 'source_handle'))).toBe(
        csvClean(memberByKey.get(edge.source)!.m.handle ?? ''),
      );
    });
    const c = read('clusters.csv');
    c.body.forEach((row, i) => {
      const cl = result.clusters[i]!;
      expect(c.get(row, 'cluster')).toBe(cl.id);
      expect(Number(c.get(row, 'size'))).toBe(cl.size);
      expect(Number(c.get(row, 'p_value'))).toBe(cl.pValue);
      expect(Number(c.get(row, 'log10_p'))).toBe(cl.log10P);
      expect(c.get(row, 'open_indicators')).toBe(cl.openIndicators.join(';'));
      expect(c.get(row, 'signal_mix')).toBe('shared-link=0.625;shared-hashtag=0.375');
      expect(Number(c.get(row, 'evidence_posts'))).toBe(
        cl.evidence.reduce((n, ev) => n + ev.posts.length, 0),
      );
      expect(unguard(c.get(row, 'notes'))).toBe(cl.notes.join('\n'));
      expect(c.get(row, 'first')).toBe(cl.first);
    });
  });

  it('evidence.csv has one row per evidence post, times in ISO-8601 UTC, text exact', () => {
    const t = read('evidence.csv');
    t.body.forEach((row, n) => {
      const { c, e, i, p, j } = evidencePosts[n]!;
      expect(t.get(row, 'cluster')).toBe(c.id);
      expect(Number(t.get(row, 'evidence'))).toBe(i + 1);
      expect(Number(t.get(row, 'post'))).toBe(j + 1);
      expect(t.get(row, 'signal')).toBe(e.signal);
      expect(unguard(t.get(row, 'object'))).toBe(csvClean(e.object));
      expect(unguard(t.get(row, 'account_id'))).toBe(p.accountId);
      expect(Number(t.get(row, 'delta_seconds'))).toBe(p.deltaSeconds);
      expect(unguard(t.get(row, 'text'))).toBe(p.text === null ? '' : csvClean(p.text));
      expect(unguard(t.get(row, 'urls'))).toBe(p.urls.join(' '));
      const time = t.get(row, 'time');
      expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
      expect(Date.parse(time)).toBe(
        Date.parse(
          /[zZ]|[+-]\d\d:\d\d$/.test(p.createdAt) ? p.createdAt : `${p.createdAt.replace(' ', 'T')}Z`,
        ),
      );
    });
    const times = t.body.map((r) => t.get(r, 'time'));
    expect(times).toContain('2025-10-02T08:16:35.250Z');
    expect(times).toContain('2025-10-09T19:00:00Z'); // zone-less, read as UTC
    expect(times).toContain('2025-10-09T19:00:12Z'); // +03:30 converted
    const texts = t.body.map((r) => t.get(r, 'text'));
    expect(texts).toContain('#ایران_قوی\r\nبا هم');
    expect(texts).toContain(`'${PAYLOADS.minus}`);
    expect(texts).toContain(`'${PAYLOADS.hyperlink}`);
  });
});

describe('writeExports', () => {
  const dir = scratch();
  afterAll(() => dir.cleanup());

  it('writes every file asked for, creating folders, leaving no temporary files', () => {
    const gexf = join(dir.dir, 'out', 'graphs', 'network.gexf');
    const graphml = join(dir.dir, 'out', 'graphs', 'network.graphml');
    const csvDir = join(dir.dir, 'out', 'tables');
    const written = writeExports(result, { gexf, graphml, csvDir });
    expect(written).toEqual([gexf, graphml, ...CSV_FILES.map((f) => join(csvDir, f))]);
    for (const p of written) expect(existsSync(p)).toBe(true);
    expect(readdirSync(join(dir.dir, 'out', 'graphs')).sort()).toEqual(['network.gexf', 'network.graphml']);
    expect(readFileSync(gexf, 'utf8')).toBe(toGexf(result));
    expect(readFileSync(graphml, 'utf8')).toBe(toGraphml(result));
    expect(writeExports(result, {})).toEqual([]);
  });

  it('replaces an existing file whole', () => {
    const gexf = join(dir.dir, 'replace.gexf');
    writeFileSync(gexf, 'x'.repeat(1_000_000));
    writeExports(result, { gexf });
    expect(readFileSync(gexf, 'utf8')).toBe(toGexf(result));
  });

  it('refuses a folder as a file, and two exports on one path', () => {
    const folder = join(dir.dir, 'a-folder');
    mkdirSync(folder);
    expect(() => writeExports(result, { gexf: folder })).toThrow(UsageError);
    const same = join(dir.dir, 'same.xml');
    expect(() => writeExports(result, { gexf: same, graphml: same })).toThrow(UsageError);
    expect(() =>
      writeExports(result, { gexf: join(dir.dir, 't', 'edges.csv'), csvDir: join(dir.dir, 't') }),
    ).toThrow(UsageError);
    expect(existsSync(same)).toBe(false);
  });

  it('leaves the old file and no temporary file when the content fails half-way, and names unwritable paths', () => {
    const target = join(dir.dir, 'keep.csv');
    writeFileSync(target, 'old');
    function* failing(): Generator<string> {
      yield 'x'.repeat(3_000_000);
      throw new InputError('broken half-way');
    }
    expect(() => writeFileAtomic(target, failing())).toThrow(InputError);
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // A path below a file cannot be created: a usage error, not a crash.
    expect(() => writeExports(result, { csvDir: join(target, 'tables') })).toThrow(UsageError);
  });

  it('refuses a result whose edges or members do not fit together, writing nothing', () => {
    const broken = buildResult();
    broken.edges.push({ ...broken.edges[0]!, target: 'twitter:999' });
    const gexf = join(dir.dir, 'broken', 'x.gexf');
    expect(() => writeExports(broken, { gexf, csvDir: join(dir.dir, 'broken') })).toThrow(InputError);
    expect(existsSync(join(dir.dir, 'broken'))).toBe(false);
    const twice = buildResult();
    twice.clusters[1]!.members.push(twice.clusters[0]!.members[0]!);
    expect(() => toGraphml(twice)).toThrow(InputError);
  });
});

// ---------------------------------------------------------------------------------------------

/** Mulberry32, a small seeded PRNG (Tommy Ettinger), so the fuzz cases repeat. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random UTF-16 text weighted toward what breaks exporters: controls, triggers, markup, surrogates, RTL. */
function randomText(rng: () => number, length: number): string {
  const pools = [
    () => String.fromCharCode(Math.floor(rng() * 0x20)),
    () => '=+-@\'"&<>;,]\t\r\n \uFF1D\uFF0B\uFF0D\uFF20\u2212\u200F\u200B\uFEFF'[Math.floor(rng() * 28)]!,
    () => String.fromCharCode(0xd800 + Math.floor(rng() * 0x800)),
    () => '\uFFFE\uFFFF'[Math.floor(rng() * 2)]!,
    () => 'سلامعربیفارسیک\u200C'[Math.floor(rng() * 15)]!,
    () => ['👍🏽', '🇮🇷', '💥', 'ẞ'][Math.floor(rng() * 4)]!,
    () => String.fromCharCode(0x20 + Math.floor(rng() * 0x5f)),
    () => String.fromCharCode(Math.floor(rng() * 0x10000)),
  ];
  let s = '';
  for (let i = 0; i < length; i++) s += pools[Math.floor(rng() * pools.length)]!();
  return s;
}
