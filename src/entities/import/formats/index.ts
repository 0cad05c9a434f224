/** The entity formats Lockstep reads, in detection order (the most specific first). */
import { FormatError } from '../../../core/errors.js';
import type { EntityFormat, Probe } from '../types.js';
import { faraFormat } from './fara.js';
import { ftmFormat } from './ftm.js';
import { ldaApiFormat, ldaXmlFormat } from './lda.js';
import { legislatorsFormat } from './legislators.js';
import { mappingFormat } from './mapping.js';
import { sunlightFormat } from './sunlight.js';

export const ENTITY_FORMATS: readonly EntityFormat[] = [
  ftmFormat,
  ldaApiFormat,
  ldaXmlFormat,
  faraFormat,
  sunlightFormat,
  legislatorsFormat,
  mappingFormat,
];

export function chooseEntityFormat(probe: Probe, name?: string): EntityFormat {
  if (name) {
    const format = ENTITY_FORMATS.find((f) => f.name === name);
    if (!format)
      throw new FormatError(
        `unknown entity format "${name}"; choose one of ${ENTITY_FORMATS.map((f) => f.name).join(', ')}`,
      );
    return format;
  }
  const found = ENTITY_FORMATS.find((f) => f.detect(probe));
  if (!found)
    throw new FormatError(
      `${probe.name}: not an entity file Lockstep recognises (FtM entities, FARA, Sunlight FARA, LDA, congress-legislators); pass --format, or --mapping FILE.yml for any other table`,
    );
  return found;
}
