import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { invalid } from '../errors.js';
import type { Database } from '../store/tables.js';
import type { CollectSiteRow } from '../store/tables-impact.js';
import { parseOrigins, type SiteOrigin } from './site-origins.js';

/** A site as the collect endpoint needs it: origins resolved to environment ids. */
export interface ResolvedSite {
  applicationId: string;
  siteKey: string;
  feedbackEnabled: boolean;
  /** Declared origin → environment id (null: the application has no environment at all). */
  origins: Map<string, string | null>;
}

export interface SiteSettings {
  siteKey: string;
  origins: SiteOrigin[];
  feedbackEnabled: boolean;
}

/** Public site keys: unguessable is not needed (they are in every page), unique is. */
export function newSiteKey(): string {
  return `s_${randomBytes(12).toString('base64url')}`;
}

/**
 * The sites of applications (settings API) and the lookup the collect endpoint makes on every
 * event, cached per key: thousands of events a second must not read the database each time. A
 * change through `save` drops the cached entry of that site, so the next event sees it.
 */
export class SiteService {
  private readonly byKey = new Map<string, { site: ResolvedSite | null; at: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
    /** How long a cached site (or a known-unknown key) is trusted, ms. */
    private readonly ttlMs = 30_000,
  ) {}

  async settings(applicationId: string): Promise<SiteSettings | null> {
    const row = await this.db
      .selectFrom('collect_sites')
      .selectAll()
      .where('application_id', '=', applicationId)
      .executeTakeFirst();
    return row ? settingsOf(row) : null;
  }

  /** Creates the site (with a new key) or updates it; environments are checked by name. */
  async save(
    applicationId: string,
    input: { origins: SiteOrigin[]; feedbackEnabled: boolean },
  ): Promise<SiteSettings> {
    const envs = await this.db
      .selectFrom('environments')
      .select('name')
      .where('application_id', '=', applicationId)
      .execute();
    const names = new Set(envs.map((e) => e.name));
    const seen = new Set<string>();
    input.origins.forEach((o, i) => {
      if (o.environment !== null && !names.has(o.environment)) {
        throw invalid(
          `body.origins.${i}.environment`,
          `body.origins.${i}.environment: the application has no environment "${o.environment}"`,
        );
      }
      if (seen.has(o.origin)) {
        throw invalid(`body.origins.${i}.origin`, `body.origins.${i}.origin: "${o.origin}" is listed twice`);
      }
      seen.add(o.origin);
    });
    const now = this.now();
    const existing = await this.settings(applicationId);
    const origins = JSON.stringify(input.origins);
    const feedback = input.feedbackEnabled ? 1 : 0;
    if (existing) {
      await this.db
        .updateTable('collect_sites')
        .set({ origins, feedback_enabled: feedback, updated_at: now })
        .where('application_id', '=', applicationId)
        .execute();
      this.byKey.delete(existing.siteKey);
    } else {
      await this.db
        .insertInto('collect_sites')
        .values({
          application_id: applicationId,
          site_key: newSiteKey(),
          origins,
          feedback_enabled: feedback,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    return (await this.settings(applicationId)) as SiteSettings;
  }

  /** The site of a public key, or null for an unknown one (both cached for ttlMs). */
  async find(siteKey: string): Promise<ResolvedSite | null> {
    const now = this.now();
    const cached = this.byKey.get(siteKey);
    if (cached && now - cached.at < this.ttlMs) return cached.site;
    const site = await this.load(siteKey);
    // Unknown keys are cached too, so a flood of a wrong key costs no query each; the map is
    // bounded so made-up keys cannot grow it without limit.
    if (this.byKey.size >= 10_000) this.byKey.clear();
    this.byKey.set(siteKey, { site, at: now });
    return site;
  }

  /** Is `origin` declared by any site? Answers CORS preflights, which carry no site key. */
  async anySiteDeclares(origin: string): Promise<boolean> {
    // One row per application: few, and preflights are rare (the script sends simple requests).
    const rows = await this.db.selectFrom('collect_sites').select('origins').execute();
    return rows.some((r) => parseOrigins(r.origins).some((o) => o.origin === origin));
  }

  private async load(siteKey: string): Promise<ResolvedSite | null> {
    const row = await this.db
      .selectFrom('collect_sites')
      .selectAll()
      .where('site_key', '=', siteKey)
      .executeTakeFirst();
    if (!row) return null;
    const envs = await this.db
      .selectFrom('environments')
      .select(['id', 'name', 'position', 'production'])
      .where('application_id', '=', row.application_id)
      .orderBy('position')
      .execute();
    // Fallback for origins without an environment: the production one, else the last in order
    // (dev → staging → production is how applications list them).
    const fallback = envs.find((e) => e.production === 1) ?? envs[envs.length - 1] ?? null;
    const origins = new Map<string, string | null>();
    for (const o of parseOrigins(row.origins)) {
      const env = o.environment === null ? null : envs.find((e) => e.name === o.environment);
      origins.set(o.origin, (env ?? fallback)?.id ?? null);
    }
    return {
      applicationId: row.application_id,
      siteKey: row.site_key,
      feedbackEnabled: row.feedback_enabled === 1,
      origins,
    };
  }
}

function settingsOf(row: CollectSiteRow): SiteSettings {
  return {
    siteKey: row.site_key,
    origins: parseOrigins(row.origins),
    feedbackEnabled: row.feedback_enabled === 1,
  };
}
