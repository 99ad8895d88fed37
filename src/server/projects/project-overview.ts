import type { Kysely } from 'kysely';
import { ProjectOverviewJson, type ProjectOverviewJsonType } from '../../api/project-overview.js';
import { testCountSelections, testCountsOf } from '../runs/run-test-counts.js';
import type { Database, ProjectRow } from '../store/tables.js';

/** The project page's header (shapes in src/api/project-overview.ts, re-exported for the routes). */
export { ProjectOverviewJson, type ProjectOverviewJsonType };

export async function projectOverview(
  db: Kysely<Database>,
  project: ProjectRow,
): Promise<ProjectOverviewJsonType> {
  const [image, tested] = await Promise.all([
    db
      .selectFrom('images')
      .select(['repository', 'tag', 'digest', 'created_at'])
      .where('project_id', '=', project.id)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('runs')
      .select(['runs.number', 'runs.record', 'runs.created_at'])
      .select((eb) => testCountSelections(eb))
      .where('runs.project_id', '=', project.id)
      .where('runs.ref_kind', '=', 'branch')
      .where('runs.ref_name', '=', project.default_branch)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('test_reports')
            .select('test_reports.run_id')
            .whereRef('test_reports.run_id', '=', 'runs.id'),
        ),
      )
      .orderBy('runs.number', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  const counts = tested ? testCountsOf(tested) : null;
  return {
    defaultBranch: project.default_branch,
    image: image
      ? {
          repository: image.repository,
          tag: image.tag,
          digest: image.digest,
          createdAt: Number(image.created_at),
        }
      : null,
    tests:
      tested && counts
        ? { ...counts, runNumber: tested.number, record: tested.record, createdAt: Number(tested.created_at) }
        : null,
  };
}
