import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scorecard } from '../score/scorecard.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

/** Writes report files atomically, so a reader never sees half a scorecard. */

/** Writes to a temporary file in the same folder, then renames it over `file`. */
export function writeFileAtomic(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, content, { encoding: 'utf8', mode: 0o644 });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export const reportFormats = ['json', 'md', 'junit', 'html'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const REPORT_FILES: Record<ReportFormat, string> = {
  json: 'scorecard.json',
  md: 'scorecard.md',
  junit: 'junit.xml',
  html: 'scorecard.html',
};

export function renderFormat(scorecard: Scorecard, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(scorecard, null, 2)}\n`;
    case 'md':
      return renderMarkdown(scorecard);
    case 'junit':
      return renderJunit([scorecard]);
    case 'html':
      return renderHtml(scorecard);
  }
}

/**
 * Writes the chosen formats of one scorecard into `dir` (by default all of them, usually
 * `reports/<run-id>/`) and returns the paths written.
 */
export function writeReports(
  scorecard: Scorecard,
  dir: string,
  formats: readonly ReportFormat[] = reportFormats,
): string[] {
  mkdirSync(dir, { recursive: true });
  return formats.map((format) => {
    const file = join(dir, REPORT_FILES[format]);
    writeFileAtomic(file, renderFormat(scorecard, format));
    return file;
  });
}

/**
 * Returns the report folder of a run, `<root>/<run-id>`. Rejects a run id that is not a plain folder
 * name, because a scorecard from elsewhere must not write outside `root`.
 */
export function runReportDir(root: string, runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId) || runId.includes('..')) {
    throw new Error(`invalid run id "${runId}": use letters, digits, ".", "_" and "-" only`);
  }
  return join(root, runId);
}
