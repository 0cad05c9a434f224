import type { Command } from '@commander-js/extra-typings';

export function registerDemo(_program: Command): void {}
