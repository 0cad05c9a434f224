/**
 * Fingerprints as CSV tables (formula-safe, see ../csv.ts): one row per set with the headline
 * figures, the 7 x 24 activity in UTC and local time, the creation batches and the handle templates.
 */
import { join } from 'node:path';
import type { Fingerprint } from '../../forensics/index.js';
import { type CsvValue, csvLines } from '../csv.js';
import { ensureFolder, writeFileAtomic } from './files.js';

export interface FingerprintRow {
  id: string;
  fingerprint: Fingerprint;
}

export const FINGERPRINT_FILES = [
  'fingerprints.csv',
  'hour_of_week.csv',
  'creation_batches.csv',
  'handle_templates.csv',
] as const;

const SET_COLUMNS = [
  'set_id',
  'accounts',
  'posts',
  'office_verdict',
  'office_share',
  'weekday_ratio',
  'days_off',
  'concentration_9h',
  'midday_dip',
  'offset_minutes',
  'offset_low_minutes',
  'offset_high_minutes',
  'offset_confidence',
  'offset_basis',
  'located_accounts',
  'stated_top_offset_minutes',
  'stated_contradicts',
  'dated_accounts',
  'creation_batches',
  'share_in_batches',
  'same_day_concentration',
  'top_handle_template',
  'top_handle_template_share',
  'top_handle_template_enrichment',
  'name_digits_share',
  'duplicated_bios',
  'near_duplicate_bio_pair_rate',
  'client_divergence',
  'cadence_judged',
  'median_burstiness',
  'scripted_accounts',
];

export function fingerprintTables(
  rows: FingerprintRow[],
): { name: string; header: string[]; rows: CsvValue[][] }[] {
  const sets = rows.map(({ id, fingerprint: f }) => {
    const r = f.rhythm;
    const t = f.identity.templates[0];
    return [
      id,
      f.accounts,
      r.posts,
      r.officeHours.verdict,
      r.officeHours.officeShare,
      r.officeHours.weekendRatio,
      r.officeHours.daysOff.join('/'),
      r.officeHours.concentration,
      r.officeHours.middayDip,
      r.offset.minutes,
      r.offset.interval?.[0],
      r.offset.interval?.[1],
      r.offset.confidence,
      r.offset.basis,
      r.locations.located,
      r.locations.top[0]?.offsetMinutes,
      r.locations.contradicts,
      f.creation.dated,
      f.creation.batchCount,
      f.creation.shareInBatches,
      f.creation.concentration,
      t?.template,
      t?.share,
      t?.enrichment,
      f.identity.nameDigits.share,
      f.identity.bios.duplicated,
      f.identity.bios.nearPairRate,
      f.identity.clientDivergence,
      f.cadence.judged,
      f.cadence.medianBurstiness,
      f.cadence.scripted,
    ];
  });
  const hours: CsvValue[][] = [];
  for (const { id, fingerprint: f } of rows)
    for (const [clock, grid] of [
      ['utc', f.rhythm.hourOfWeekUtc],
      ['local', f.rhythm.hourOfWeekLocal],
    ] as const)
      grid.forEach((row, d) => {
        row.forEach((posts, h) => {
          hours.push([id, clock, d + 1, h, posts]);
        });
      });
  const batches = rows.flatMap(({ id, fingerprint: f }) =>
    f.creation.batches.map((b) => [id, b.start, b.end, b.count, b.expected, b.log10P, b.firstAt, b.lastAt]),
  );
  const templates = rows.flatMap(({ id, fingerprint: f }) =>
    f.identity.templates.map((t) => [
      id,
      t.template,
      t.example,
      t.count,
      t.share,
      t.populationShare,
      t.enrichment,
      t.log10P,
      t.significant,
    ]),
  );
  const [setsFile, hoursFile, batchesFile, templatesFile] = FINGERPRINT_FILES;
  return [
    { name: setsFile, header: SET_COLUMNS, rows: sets },
    // ISO weekday: 1 = Monday; the local clock is the estimated offset's.
    { name: hoursFile, header: ['set_id', 'clock', 'iso_weekday', 'hour', 'posts'], rows: hours },
    {
      name: batchesFile,
      header: ['set_id', 'start', 'end', 'accounts', 'expected', 'log10_p', 'first_at', 'last_at'],
      rows: batches,
    },
    {
      name: templatesFile,
      header: [
        'set_id',
        'template',
        'example',
        'accounts',
        'share',
        'population_share',
        'enrichment',
        'log10_p',
        'significant',
      ],
      rows: templates,
    },
  ];
}

/** Writes the four fingerprint tables into `dir`; returns their paths. */
export function writeFingerprintCsv(rows: FingerprintRow[], dir: string): string[] {
  ensureFolder(dir);
  return fingerprintTables(rows).map((t) => writeFileAtomic(join(dir, t.name), csvLines(t.header, t.rows)));
}
