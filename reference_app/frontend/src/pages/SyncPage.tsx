/**
 * Marketplace sync: how fresh the marketplace is (/api/sync/status), a button that starts a
 * sync (or joins the one already running), and the job's progress until it finishes.
 */

import { useCallback, useEffect, useState } from "react";

import { getSyncJob, getSyncStatus, startSync } from "../api/endpoints";
import { ApiError } from "../api/problem";
import type { Problem } from "../api/problem";
import { FINISHED_JOB_STATUSES, Permission } from "../api/types";
import type { SyncJob, SyncStatus } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { ProblemAlert } from "../components/ProblemAlert";
import { age, dateTime } from "../format";

export const POLL_MS = 1000;

const STATUS_WORDS: Record<SyncJob["status"], string> = {
  queued: "Waiting for a worker",
  running: "Pushing prices",
  succeeded: "Finished: every price reached the marketplace",
  partial: "Finished with some prices refused or failed (they stay pending)",
  failed: "Failed",
};

function isFinished(job: SyncJob): boolean {
  return FINISHED_JOB_STATUSES.includes(job.status);
}

export function JobProgress({ job }: { job: SyncJob }) {
  const done = job.items_succeeded + job.items_failed;
  return (
    <div className="job" data-testid="sync-job" data-status={job.status}>
      <p>
        <strong>Job #{job.id}</strong>: <span>{STATUS_WORDS[job.status]}</span>
      </p>
      <progress max={Math.max(job.items_total, 1)} value={isFinished(job) ? job.items_total : done}>
        {done} of {job.items_total}
      </progress>
      <p className="muted">
        {done} of {job.items_total} products handled: {job.items_succeeded} pushed,{" "}
        {job.items_failed} failed; {job.retries} retries.
        {job.finished_at ? ` Finished ${dateTime(job.finished_at)}.` : ""}
      </p>
      {job.last_error && <p className="field-error">Last error: {job.last_error}</p>}
    </div>
  );
}

export function SyncPage() {
  const { client, can } = useAuth();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [job, setJob] = useState<SyncJob | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [starting, setStarting] = useState(false);

  const onError = useCallback((error: unknown) => {
    if (!(error instanceof ApiError)) {
      throw error;
    }
    setProblem(error.problem);
  }, []);

  const showStatus = useCallback((fresh: SyncStatus) => {
    setStatus(fresh);
    setJob((current) => current ?? fresh.active_job);
  }, []);

  useEffect(() => {
    getSyncStatus(client).then(showStatus).catch(onError);
  }, [client, showStatus, onError]);

  const jobId = job?.id;
  const jobRunning = job !== null && !isFinished(job);
  useEffect(() => {
    if (jobId === undefined || !jobRunning) {
      return;
    }
    const timer = window.setInterval(() => {
      getSyncJob(client, jobId)
        .then(async (fresh) => {
          setJob(fresh);
          if (isFinished(fresh)) {
            showStatus(await getSyncStatus(client));
          }
        })
        .catch(onError);
    }, POLL_MS);
    return () => {
      window.clearInterval(timer);
    };
  }, [client, jobId, jobRunning, showStatus, onError]);

  const onStart = () => {
    setStarting(true);
    setProblem(null);
    startSync(client)
      .then((started) => {
        setJob(started);
      })
      .catch(onError)
      .finally(() => {
        setStarting(false);
      });
  };

  return (
    <section>
      <h1>Marketplace sync</h1>
      {problem && <ProblemAlert problem={problem} />}
      {status === null && !problem && <p role="status">Loading sync status…</p>}
      {status !== null && (
        <dl className="facts" aria-label="Freshness">
          <dt>Prices waiting to be pushed</dt>
          <dd data-testid="backlog">{status.backlog}</dd>
          <dt>Oldest waiting for</dt>
          <dd>{age(status.oldest_pending_age_seconds)}</dd>
          <dt>Last complete sync</dt>
          <dd data-testid="last-success">{dateTime(status.last_success_at)}</dd>
          <dt>Marketplace access</dt>
          <dd>{status.degraded ? `Broken: ${status.degraded_reason ?? "unknown"}` : "OK"}</dd>
        </dl>
      )}
      {can(Permission.syncRun) ? (
        <button type="button" onClick={onStart} disabled={starting || jobRunning}>
          {jobRunning ? "Sync running…" : "Sync now"}
        </button>
      ) : (
        <p className="muted">Your role can watch syncs but not start them.</p>
      )}
      {job && <JobProgress job={job} />}
    </section>
  );
}
