/**
 * Ours' commit counters, scraped from each process's GET /metrics (Prometheus text): how
 * many per-tick transactions committed, and how many lost to another process's commit on
 * the same document (a conflict: the room catches up from the store and commits again).
 */

export interface CommitCounts {
  ok: number;
  /** Commits that lost to another process, every kind (sequence: retried; client, message: a write refused). */
  conflicts: number;
}

const SCRAPE_TIMEOUT_MS = 5000;

export async function scrapeCommits(baseUrls: string[]): Promise<CommitCounts> {
  const counts = await Promise.all(
    baseUrls.map(async (base) => {
      const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`GET ${base}/metrics: HTTP ${res.status}`);
      const text = await res.text();
      return {
        ok: total(text, 'messenger_commits_total{result="ok"}'),
        conflicts: total(text, "messenger_commit_conflicts_total"),
      };
    }),
  );
  return {
    ok: counts.reduce((n, c) => n + c.ok, 0),
    conflicts: counts.reduce((n, c) => n + c.conflicts, 0),
  };
}

/** The sum of every sample whose name (with labels) starts with `series`. */
function total(text: string, series: string): number {
  let sum = 0;
  for (const line of text.split("\n"))
    if (line.startsWith(series)) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  return sum;
}
