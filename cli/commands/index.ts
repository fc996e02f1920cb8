import type { Command } from '../command.js';
import { bundleCommand } from './bundle.js';
import { captureCommand } from './capture.js';
import { discoverCommand } from './discover.js';
import { doctorCommand } from './doctor.js';
import { exportCommand } from './export.js';
import { generateCommand } from './generate.js';
import { renderCommand } from './render.js';
import { sortCommand } from './sort.js';

// Every subcommand, in the order `misertrace --help` lists them.
export const COMMANDS: readonly Command[] = [sortCommand, generateCommand, renderCommand, bundleCommand, exportCommand, discoverCommand, doctorCommand, captureCommand];
