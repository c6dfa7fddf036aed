// The cluster recipes, checked statically: the Kubernetes manifests are valid YAML whose commands
// `treegrad` accepts, and the Slurm recipe's commands are real ones (test/slurm runs it for real).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main } from '../../src/cli/main.ts';

const repo = resolve(import.meta.dirname, '../..');
let said: string[];
beforeEach(() => {
  said = [];
  const keep = (...args: unknown[]) => void said.push(args.join(' '));
  vi.spyOn(console, 'log').mockImplementation(keep);
  vi.spyOn(console, 'error').mockImplementation(keep);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

interface K8sDoc {
  kind: string;
  spec: {
    completions?: number;
    parallelism?: number;
    completionMode?: string;
    template: { spec: { containers: { args: string[] }[] } };
  };
}

function manifests(file: string): K8sDoc[] {
  const docs = parseAllDocuments(readFileSync(join(repo, 'deploy', 'k8s', file), 'utf8'));
  for (const d of docs) expect(d.errors, `${file}: ${d.errors.join('; ')}`).toEqual([]);
  return docs.map((d) => d.toJS() as K8sDoc);
}

describe('deploy recipes', () => {
  test('the Indexed Job runs one real shard per completion index', async () => {
    const job = manifests('experiment-job.yaml').find((d) => d.kind === 'Job')!;
    expect(job.spec.completionMode).toBe('Indexed');
    const args = job.spec.template.spec.containers[0]!.args;
    const shard = args[args.indexOf('--shard') + 1]!;
    expect(shard).toBe(`auto/${job.spec.completions}`);
    expect(job.spec.parallelism).toBe(job.spec.completions);
    // Each index is accepted by the real command (as a plan: nothing is trained).
    for (const index of [0, job.spec.completions! - 1]) {
      vi.stubEnv('JOB_COMPLETION_INDEX', String(index));
      said.length = 0;
      expect(await main([...args, '--plan'])).toBe(0);
      expect(said.join('\n')).toMatch(
        new RegExp(`shard ${index + 1}/${job.spec.completions}: .*← this task`),
      );
    }
  });

  test('the report Job runs `treegrad report` on the same folder', () => {
    const job = manifests('report-job.yaml').find((d) => d.kind === 'Job')!;
    const study = manifests('experiment-job.yaml').find((d) => d.kind === 'Job')!;
    const args = job.spec.template.spec.containers[0]!.args;
    const studyArgs = study.spec.template.spec.containers[0]!.args;
    expect(args).toEqual(['report', '--out', studyArgs[studyArgs.indexOf('--out') + 1]]);
  });

  test('the Dockerfile starts the real command line', () => {
    const docker = readFileSync(join(repo, 'deploy', 'k8s', 'Dockerfile'), 'utf8');
    expect(docker).toMatch(/^ENTRYPOINT \["node", "bin\/treegrad\.js"\]$/m);
    for (const path of docker.matchAll(/^COPY (\S+) /gm))
      expect(path[1]).toMatch(/^(bin|src|shaders|docs|package\.json)$/);
  });
});
