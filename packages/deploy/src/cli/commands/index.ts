import type { Command } from "../CliIo.js";
import { classifyCommand } from "./classify.js";

export const commands: ReadonlyArray<Command> = [classifyCommand];
