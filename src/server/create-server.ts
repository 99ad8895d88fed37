import Fastify, { type FastifyInstance } from 'fastify';
import { installProjectGuard } from './access/project-guard.js';
import { ArtifactStore } from './artifacts/artifact-store.js';
import { ARTIFACT_SWEEP_MS, sweepArtifactsEvery } from './artifacts/artifact-sweeper.js';
import { installAuthentication } from './auth/authenticate.js';
import { loadSecretBox } from './auth/secret-box.js';
import { AgentCaches } from './caches/agent-caches.js';
import { CacheStore } from './caches/cache-store.js';
import { CollectService } from './collect/collect-service.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { announceStaleObservations } from './deploys/announce-stale-observations.js';
import { followReleases } from './deploys/release-follow-up.js';
import { publishReleaseChanges } from './deploys/release-live-events.js';
import { ReleaseService } from './deploys/release-service.js';
import { DeliveryEventBus } from './events/delivery-event-bus.js';
import { InMemoryEventBus } from './events/event-bus.js';
import { GitSourceService } from './git/source-service.js';
import { RouteRegistry } from './http/define-route.js';
import { installErrorHandler } from './http/error-handler.js';
import { registerAgentRoutes } from './http/routes/agent-routes.js';
import { registerApplicationRoutes } from './http/routes/application-routes.js';
import { registerArtifactAgentRoutes } from './http/routes/artifact-agent-routes.js';
import { registerArtifactRoutes } from './http/routes/artifact-routes.js';
import { registerAuthRoutes } from './http/routes/auth-routes.js';
import { registerBadgeRoutes } from './http/routes/badge-routes.js';
import { registerBehaviourRoutes } from './http/routes/behaviour-routes.js';
import { registerCacheRoutes } from './http/routes/cache-routes.js';
import { registerCollectRoutes } from './http/routes/collect-routes.js';
import { registerCommitStatusRoutes } from './http/routes/commit-status-routes.js';
import { registerGitRoutes } from './http/routes/git-routes.js';
import { registerImageRoutes } from './http/routes/image-routes.js';
import { registerImpactRoutes } from './http/routes/impact-routes.js';
import { registerImportRoutes } from './http/routes/import-routes.js';
import { registerInsightsRoutes } from './http/routes/insights-routes.js';
import { registerLogRoutes } from './http/routes/log-routes.js';
import { registerNotificationRoutes } from './http/routes/notification-routes.js';
import { registerProjectOverviewRoutes } from './http/routes/project-overview-routes.js';
import { registerProjectRoutes } from './http/routes/project-routes.js';
import { registerRefRoutes } from './http/routes/ref-routes.js';
import { registerRegistryRoutes } from './http/routes/registry-routes.js';
import { registerReleaseRoutes } from './http/routes/release-routes.js';
import { registerRunRoutes } from './http/routes/run-routes.js';
import { registerSystemRoutes } from './http/routes/system-routes.js';
import { registerWebRoutes } from './http/routes/web-routes.js';
import { registerWebhookRoutes } from './http/routes/webhook-routes.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { followBuiltImages } from './images/image-follow-up.js';
import { InsightsFactCache } from './insights/insights-cache.js';
import { catchUpInsights, followReleasesForInsights } from './insights/insights-follow-up.js';
import { DbLogService } from './logs/log-service.js';
import { createNotifyRuntime } from './notify/notify-runtime.js';
import { DbQueueService } from './queue/queue-service.js';
import { ConfigLoader } from './runs/config-loader.js';
import { DbRunService } from './runs/run-service.js';
import { DbRunState } from './runs/run-state.js';
import { startScheduler } from './scheduler/scheduler.js';
import { migrateToLatest } from './store/migrate.js';
import { openDatabase } from './store/open-database.js';
import { sweepTrafficEvery } from './traffic/traffic-sweeper.js';
import { recoverPendingDeliveries } from './webhooks/recover-deliveries.js';

export interface SlipwayServer {
  app: FastifyInstance;
  ctx: ServerContext;
  /** Starts background loops (lease expiry, cron) and listens; resolves with the bound URL. */
  listen(): Promise<string>;
  /** Stops loops, closes HTTP and the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * The composition root of the server: builds every service once, injects them, registers the
 * routes. No module keeps state of its own, so tests build as many servers as they like.
 */
export async function createServer(
  config: ServerConfig,
  opts: { logger?: boolean; now?: () => number } = {},
): Promise<SlipwayServer> {
  const app = Fastify({
    logger: opts.logger ? { level: config.logLevel } : false,
    bodyLimit: 1024 * 1024,
    // Agents post log batches; webhook routes set their own, smaller limit.
    trustProxy: config.trustProxy,
  });
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db as never);
  const now = opts.now ?? Date.now;
  const base = {
    config,
    db,
    now,
    log: app.log,
    secretBox: loadSecretBox(config),
    events: new InMemoryEventBus(),
    deliveries: new DeliveryEventBus(app.log),
    routes: new RouteRegistry(),
    configs: new ConfigLoader(),
    artifacts: new ArtifactStore({ db, config, now }),
  };
  const logs = new DbLogService({ db, maxBytes: config.logMaxBytes });
  const sources = new GitSourceService({
    dataDir: config.dataDir,
    log: app.log,
    outboundAllowlist: config.outboundAllowlist,
    maxPushBytes: config.gitMaxPushBytes,
  });
  const runState = new DbRunState({
    db,
    events: base.events,
    deliveries: base.deliveries,
    now,
    leaseTimeoutMs: config.leaseTimeoutMs,
  });
  // What follows runs and jobs subscribes to their delivery events; the queue only leases and
  // records. The release service needs `runs`, built just below.
  let releaseService: ReleaseService | null = null;
  followBuiltImages(base.deliveries, { db, events: base.events, deliveries: base.deliveries, now });
  publishReleaseChanges(base.deliveries, { db, events: base.events });
  followReleases(base.deliveries, {
    db,
    log: app.log,
    releases: (): ReleaseService =>
      (releaseService ??= new ReleaseService({
        db,
        now,
        events: base.events,
        deliveries: base.deliveries,
        runs,
      })),
  });
  const notify = createNotifyRuntime(base);
  const insightsCache = new InsightsFactCache();
  const insights = {
    db,
    cache: insightsCache,
    gitDir: (p: Parameters<GitSourceService['gitDir']>[0]) => sources.gitDir(p),
    log: app.log,
  };
  followReleasesForInsights(base.deliveries, insights);
  const runs = new DbRunService({ ...base, logs, sources, runState });
  const queue = new DbQueueService({ ...base, logs, sources, runState, runs });
  const caches = new AgentCaches(
    db,
    new CacheStore({
      db,
      dataDir: config.dataDir,
      now,
      maxBytes: config.cacheMaxBytes,
      totalBytes: config.cacheTotalBytes,
      maxAgeMs: config.cacheMaxAgeMs,
    }),
  );
  const ctx: ServerContext = { ...base, logs, sources, runState, runs, queue, caches, insightsCache };
  const collect = new CollectService({
    db,
    now,
    config: config.collect,
    deliveries: base.deliveries,
    log: app.log,
  });

  installErrorHandler(app);
  installSecurityHeaders(app);
  installAuthentication(app, ctx);
  installProjectGuard(app, ctx);
  registerSystemRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerProjectRoutes(app, ctx);
  registerRefRoutes(app, ctx);
  registerProjectOverviewRoutes(app, ctx);
  registerImportRoutes(app, ctx);
  registerRunRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  registerAgentRoutes(app, ctx);
  registerGitRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerApplicationRoutes(app, ctx);
  registerReleaseRoutes(app, ctx);
  registerRegistryRoutes(app, ctx);
  registerImageRoutes(app, ctx);
  registerBadgeRoutes(app, ctx);
  registerNotificationRoutes(app, ctx, notify);
  registerCommitStatusRoutes(app, ctx);
  registerInsightsRoutes(app, ctx);
  registerImpactRoutes(app, ctx);
  registerArtifactRoutes(app, ctx);
  registerArtifactAgentRoutes(app, ctx);
  registerCacheRoutes(app, ctx);
  registerCollectRoutes(app, ctx, collect);
  registerBehaviourRoutes(app, ctx, collect);
  // Last: the UI answers only what no API route did.
  registerWebRoutes(app);

  const stops: (() => void)[] = [];
  let closed = false;
  return {
    app,
    ctx,
    async listen() {
      // Restart recovery: leases whose agent stopped heartbeating while we were down end now.
      await queue.expireLeases(now()).catch((error) => app.log.warn({ err: error }, 'lease expiry failed'));
      // Webhooks answered 2xx whose run was never created (security rule 14): start them now.
      recoverPendingDeliveries(ctx).catch((error) =>
        app.log.error({ err: error }, 'webhook recovery failed'),
      );
      // …and, while running, deliveries whose live attempt failed (given back for one retry).
      const deliveries = setInterval(() => {
        recoverPendingDeliveries(ctx, { olderThanMs: 30_000 }).catch((error) =>
          app.log.warn({ err: error }, 'webhook delivery recovery failed'),
        );
      }, 30_000);
      stops.push(() => clearInterval(deliveries));
      const expiry = setInterval(
        () => {
          queue.expireLeases(now()).catch((error) => app.log.warn({ err: error }, 'lease expiry failed'));
        },
        Math.max(200, Math.floor(config.leaseTimeoutMs / 4)),
      );
      stops.push(() => clearInterval(expiry));
      // Observed health that went stale (no agent report) is announced as `unknown` when it happens.
      const staleness = setInterval(
        () => {
          announceStaleObservations({
            db,
            events: base.events,
            now,
            staleMs: config.observationStaleMs,
          }).catch((error) => app.log.warn({ err: error }, 'stale observation sweep failed'));
        },
        Math.max(1000, Math.floor(config.observationStaleMs / 4)),
      );
      stops.push(() => clearInterval(staleness));
      // The cache store expires by age and total size (caches/cache-store.ts).
      const cacheSweep = setInterval(
        () => {
          caches.store.sweep().catch((error) => app.log.warn({ err: error }, 'cache store sweep failed'));
        },
        Math.max(60_000, Math.min(60 * 60_000, Math.floor(config.cacheMaxAgeMs / 24))),
      );
      stops.push(() => clearInterval(cacheSweep));
      stops.push(startScheduler(ctx));
      await notify.start();
      // Insights of releases the subscriber never saw (history, a crash before dispatch).
      catchUpInsights(insights).catch((error) => app.log.warn({ err: error }, 'insights catch-up failed'));
      stops.push(sweepArtifactsEvery(ctx, ARTIFACT_SWEEP_MS));
      stops.push(
        sweepTrafficEvery({
          db,
          now,
          retentionDays: config.trafficRetentionDays,
          behaviourRetentionDays: config.behaviourRetentionDays,
          warn: (error) => app.log.warn({ err: error }, 'retention sweep failed'),
        }),
      );
      return app.listen({ host: config.host, port: config.port });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const stop of stops) stop();
      await app.close();
      // Behaviour events still queued are written before the database goes away.
      await collect.close();
      // Follow-ups of what was committed finish before the database goes away.
      await base.deliveries.close();
      await notify.stop();
      await db.destroy();
      await base.configs.close();
    },
  };
}
