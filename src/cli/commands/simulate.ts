import type { Command } from '@commander-js/extra-typings';

export function registerSimulate(_program: Command): void {}
