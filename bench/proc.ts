// Memory and CPU of the processes under test, read from Linux's /proc. The worker runs in its own process, so its
// figures are its own: RSS sampled every `intervalMs`, the kernel's own peak (VmHWM) read before it exits, and the
// CPU time it used (utime + stime), which shows what the 2 shared cores went to.
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = 100; // USER_HZ on Linux

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // gone, or not Linux
  }
}

/** The threads of a process (none when it is gone, or not on Linux). */
function threadsOf(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/** The process and its descendants (a launcher may sit between us and the real worker). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    for (const t of threadsOf(p)) {
      try {
        const children = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      } catch {
        /* the task ended meanwhile */
      }
    }
  }
  return out;
}

/**
 * Lowers the scheduling priority of a process, its descendants and every thread of each (Linux sets a nice value per
 * thread; threads made later inherit it from the thread that makes them). Unprivileged: raising nice is allowed.
 */
export function lowerPriority(pid: number, nice: number): void {
  for (const p of processTree(pid)) {
    for (const t of threadsOf(p)) {
      try {
        os.setPriority(Number(t), nice);
      } catch {
        /* the thread ended meanwhile */
      }
    }
  }
}

/** CPU seconds (user + system) used so far by one process. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

export interface MemorySample {
  /** RSS when sampling began (the worker polling, before any relink), MB. */
  atStartMb?: number;
  /** Highest RSS seen by sampling, MB, summed over the process tree. */
  sampledPeakMb: number;
  /** The kernel's peak RSS (VmHWM) of the biggest process in the tree, MB: exact, read before it exits. */
  kernelPeakMb?: number;
  samples: number;
}

export class MemorySampler {
  private peakKb = 0;
  private firstKb?: number;
  private samples = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  sample(): void {
    const kb = processTree(this.pid).reduce((sum, p) => sum + (statusKb(p, 'VmRSS') ?? 0), 0);
    if (kb > 0) this.samples++;
    if (kb > 0 && this.firstKb === undefined) this.firstKb = kb;
    this.peakKb = Math.max(this.peakKb, kb);
  }

  /** Stops sampling; call while the process still runs so VmHWM can be read. */
  stop(): MemorySample {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const hwm = Math.max(0, ...processTree(this.pid).map((p) => statusKb(p, 'VmHWM') ?? 0));
    return {
      ...(this.firstKb ? { atStartMb: Math.round(this.firstKb / 102.4) / 10 } : {}),
      sampledPeakMb: Math.round(this.peakKb / 102.4) / 10,
      ...(hwm > 0 ? { kernelPeakMb: Math.round(hwm / 102.4) / 10 } : {}),
      samples: this.samples,
    };
  }
}

/**
 * CPU used by a set of processes between two moments: start() then stop(). Each counts with its descendants, except
 * those of another listed process (the benchmark's own process is the parent of the worker and the server).
 */
export class CpuMeter {
  private readonly before = new Map<string, number>();
  private startedAt = 0;

  constructor(private readonly pids: Record<string, number | undefined>) {}

  private cpuOf(pid: number): number | undefined {
    const others = new Set(Object.values(this.pids).filter((p) => p !== pid));
    const own = processTree(pid).filter((p) => p === pid || !others.has(p));
    const excluded = new Set(
      processTree(pid)
        .filter((p) => p !== pid && others.has(p))
        .flatMap((p) => processTree(p)),
    );
    const values = own.filter((p) => p === pid || !excluded.has(p)).map(cpuSeconds);
    return values[0] === undefined ? undefined : values.reduce<number>((a, b) => a + (b ?? 0), 0);
  }

  start(): this {
    this.startedAt = performance.now();
    for (const [name, pid] of Object.entries(this.pids)) {
      const cpu = pid ? this.cpuOf(pid) : undefined;
      if (cpu !== undefined) this.before.set(name, cpu);
    }
    return this;
  }

  /** CPU seconds per process and as a share of the wall time (1.0 = one whole core). */
  stop(): { wallSeconds: number; cpuSeconds: Record<string, number>; cores: Record<string, number> } {
    const wall = (performance.now() - this.startedAt) / 1000;
    const cpuSecondsOut: Record<string, number> = {};
    const cores: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const before = this.before.get(name);
      const after = pid ? this.cpuOf(pid) : undefined;
      if (before === undefined || after === undefined) continue;
      cpuSecondsOut[name] = Math.round((after - before) * 10) / 10;
      cores[name] = Math.round(((after - before) / wall) * 100) / 100;
    }
    return { wallSeconds: Math.round(wall * 10) / 10, cpuSeconds: cpuSecondsOut, cores };
  }
}
