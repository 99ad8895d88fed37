import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CollectConfig } from '../config-collect.js';
import { ServingReleaseCache } from '../deploys/serving-release.js';
import { AppError, forbidden, invalid, unavailable } from '../errors.js';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { Database } from '../store/tables.js';
import type { BehaviourEventRow } from '../store/tables-impact.js';
import { isBot } from './bot-filter.js';
import type { CollectEvent, CollectFeedback } from './collect-schemas.js';
import { WindowRateLimiter } from './rate-limiter.js';
import { type ResolvedSite, SiteService } from './site-service.js';
import { VisitorHasher } from './visitor-salts.js';
import { WriteBehind } from './write-behind.js';

/** Who sent a request, as the HTTP edge saw it. */
export interface CollectClient {
  origin: string | undefined;
  address: string;
  userAgent: string | undefined;
}

export interface CollectDeps {
  db: Kysely<Database>;
  now: () => number;
  config: CollectConfig;
  deliveries: DeliveryEventBus;
  log: { error(obj: object, msg: string): void };
}

const MINUTE = 60_000;

/**
 * The public collect endpoint's work: check the site, the origin and the limits, drop bots,
 * count the visitor by the daily hash, attribute the event to the environment (by origin) and
 * the release serving it now, and queue it for the batched writer.
 */
export class CollectService {
  readonly sites: SiteService;
  private readonly serving: ServingReleaseCache;
  private readonly visitors: VisitorHasher;
  private readonly perAddress: WindowRateLimiter;
  private readonly perSite: WindowRateLimiter;
  private readonly feedbackPerVisitor: WindowRateLimiter;
  private readonly events: WriteBehind<BehaviourEventRow>;
  private readonly unfollow: () => void;

  constructor(private readonly deps: CollectDeps) {
    const { db, now, config } = deps;
    this.sites = new SiteService(db, now);
    this.serving = new ServingReleaseCache(db);
    this.unfollow = this.serving.follow(deps.deliveries);
    this.visitors = new VisitorHasher(db, now);
    this.perAddress = new WindowRateLimiter(config.ratePerAddressPerMinute, MINUTE, now);
    this.perSite = new WindowRateLimiter(config.ratePerSitePerMinute, MINUTE, now);
    this.feedbackPerVisitor = new WindowRateLimiter(config.feedbackPerVisitorPerHour, 60 * MINUTE, now);
    this.events = new WriteBehind({
      capacity: config.bufferEvents,
      write: (batch) =>
        db.transaction().execute(async (trx) => {
          // Chunks keep each statement under the drivers' bound-parameter limits.
          for (let i = 0; i < batch.length; i += 500) {
            await trx
              .insertInto('behaviour_events')
              .values(batch.slice(i, i + 500))
              .execute();
          }
        }),
      onError: (error, lost) => deps.log.error({ err: error, lost }, 'behaviour events could not be stored'),
    });
  }

  /** Queues one event; false when it was dropped on purpose (a bot). Throws 4xx/503 otherwise. */
  async acceptEvent(event: CollectEvent, client: CollectClient): Promise<boolean> {
    const site = await this.admit(event.site, client);
    if (
      isBot({ userAgent: client.userAgent, webdriver: event.webdriver, automationAllowed: event.automation })
    )
      return false;
    this.limitSite(site);
    const now = this.deps.now();
    const environmentId = site.origins.get(client.origin as string) ?? null;
    const page = parsePage(event.url, 'body.url');
    const row: BehaviourEventRow = {
      id: randomUUID(),
      application_id: site.applicationId,
      environment_id: environmentId,
      release_id: environmentId ? await this.serving.at(environmentId, now) : null,
      kind: event.kind,
      name: event.kind === 'pageview' ? null : (event.name ?? null),
      path: page.pathname.slice(0, 512),
      referrer: referrerHost(event.referrer, page.host),
      visitor: await this.visitors.visitor(site.siteKey, client.address, client.userAgent ?? ''),
      props: propsJson(event),
      occurred_at: now,
    };
    if (!this.events.offer(row)) {
      throw unavailable('collect buffer full: the server is writing events as fast as it can; retry later');
    }
    return true;
  }

  /** Stores one feedback message at once; false when dropped on purpose (honeypot, bot). */
  async acceptFeedback(feedback: CollectFeedback, client: CollectClient): Promise<boolean> {
    const site = await this.admit(feedback.site, client);
    if (!site.feedbackEnabled) throw forbidden('feedback is not enabled for this site');
    if (feedback.website) return false;
    if (
      isBot({
        userAgent: client.userAgent,
        webdriver: feedback.webdriver,
        automationAllowed: feedback.automation,
      })
    )
      return false;
    const visitor = await this.visitors.visitor(site.siteKey, client.address, client.userAgent ?? '');
    if (!this.feedbackPerVisitor.take(`${site.siteKey}\0${visitor}`)) {
      throw new AppError(
        'rate_limited',
        `at most ${this.deps.config.feedbackPerVisitorPerHour} feedback messages per hour`,
        undefined,
        'feedback_rate',
      );
    }
    const now = this.deps.now();
    const environmentId = site.origins.get(client.origin as string) ?? null;
    const page = parsePage(feedback.url, 'body.url');
    await this.deps.db
      .insertInto('feedback_messages')
      .values({
        id: randomUUID(),
        application_id: site.applicationId,
        environment_id: environmentId,
        release_id: environmentId ? await this.serving.at(environmentId, now) : null,
        message: feedback.message,
        rating: feedback.rating ?? null,
        contact: feedback.contact ? feedback.contact : null,
        page: `${page.origin}${page.pathname}`.slice(0, 1024),
        visitor,
        created_at: now,
        resolved_at: null,
      })
      .execute();
    return true;
  }

  /** Is `origin` declared by some site (CORS preflight, which carries no site key)? */
  preflightAllowed(origin: string | undefined): Promise<boolean> {
    return origin ? this.sites.anySiteDeclares(origin) : Promise.resolve(false);
  }

  /** Writes what is queued (tests, shutdown). */
  flush(): Promise<void> {
    return this.events.flush();
  }

  get queued(): number {
    return this.events.size;
  }

  async close(): Promise<void> {
    this.unfollow();
    await this.events.close();
  }

  /** Address limit, known site, declared origin — in that order, cheapest first. */
  private async admit(siteKey: string, client: CollectClient): Promise<ResolvedSite> {
    if (!this.perAddress.take(client.address)) {
      throw new AppError(
        'rate_limited',
        `too many events from this address; retry in ${this.perAddress.retryAfterSeconds()}s`,
        undefined,
        'address_rate',
      );
    }
    const site = await this.sites.find(siteKey);
    if (!site) throw invalid('body.site', 'body.site: no site has this key (copy the snippet again)');
    if (!client.origin || !site.origins.has(client.origin)) {
      throw new AppError(
        'forbidden',
        `origin ${client.origin ?? '(none)'} is not declared for this site`,
        'origin',
        'origin_not_declared',
      );
    }
    return site;
  }

  private limitSite(site: ResolvedSite): void {
    if (!this.perSite.take(site.siteKey)) {
      throw new AppError(
        'rate_limited',
        `this site received too many events; retry in ${this.perSite.retryAfterSeconds()}s`,
        undefined,
        'site_rate',
      );
    }
  }
}

function parsePage(text: string, where: string): URL {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // fall through to the error
  }
  throw invalid(where, `${where}: not an http(s) URL`);
}

/** The referrer's host, or null when there is none or it is the page's own site. */
function referrerHost(referrer: string | undefined, pageHost: string): string | null {
  if (!referrer) return null;
  try {
    const host = new URL(referrer).host;
    return host && host !== pageHost ? host.slice(0, 255) : null;
  } catch {
    return null;
  }
}

function propsJson(event: CollectEvent): string | null {
  if (event.kind === 'error') return event.source ? JSON.stringify({ source: event.source }) : null;
  return event.props && Object.keys(event.props).length > 0 ? JSON.stringify(event.props) : null;
}
