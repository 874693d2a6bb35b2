import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Every process the test kit starts, so that none outlives the test run: each is
 * killed (its whole process group) when the runner exits, also after a failure or
 * a timeout, and on SIGINT/SIGTERM.
 */
const running = new Set<ChildProcess>();

/**
 * Every process below `pid` (Linux /proc). Some programs (turbo, the Angular dev server)
 * start their children in process groups of their own, so killing the group is not enough.
 */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const entry of entries) {
    try {
      // "pid (comm) state ppid …": comm may contain spaces, so read after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() ?? -1) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function killTree(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const child of running) {
      if (child.pid !== undefined) killTree(descendants(child.pid), 'SIGKILL');
      killGroup(child, 'SIGKILL');
    }
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** Spawns a process in its own group, tracked until it exits. */
export function startProcess(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  hookExit();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options, detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * Stops a process started by {@link startProcess} and everything it started: SIGTERM,
 * then SIGKILL after `graceMs` for whatever is still there.
 */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  const tree = child.pid === undefined ? [] : descendants(child.pid);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGTERM');
    killTree(tree, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  } else {
    killTree(tree, 'SIGTERM');
  }
  // Children that outlived their parent: wait a little, then make sure.
  const deadline = Date.now() + graceMs;
  while (tree.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  killTree(tree.filter(alive), 'SIGKILL');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of a system program the tests need, or an error with the install command.
 * Nothing is skipped: a missing prerequisite fails the test loudly.
 */
export function requireProgram(program: string, debianPackage: string, candidates: readonly string[] = []): string {
  for (const candidate of [...candidates, program]) {
    const found = spawnSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' });
    const path = found.stdout.trim();
    if (found.status === 0 && path) return path;
  }
  throw new Error(`${program} is required by these tests and was not found. Install it with: apt-get install -y ${debianPackage}`);
}
