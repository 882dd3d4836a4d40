import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (ms) a process has used so far, user + system, from /proc/<pid>/stat (Linux). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: field 14 (utime) and 15 (stime) of proc(5) are at 11 and 12 here.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** The CPU time so far of each process that is still there, by pid (one that ended meanwhile is left out). */
export function cpuByPid(pids: number[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      cpu.set(pid, processCpuMs(pid));
    } catch {
      // the process ended
    }
  }
  return cpu;
}

/** The CPU the processes of `after` used since `before` (one that started in between counts whole). */
export function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
  return ms;
}

/** The pids of the processes whose command name (/proc/<pid>/comm) is `command`: every `postgres` process, say. */
export function pidsNamed(command: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === command;
      } catch {
        return false;
      }
    });
}
