/**
 * The Insights page's chunk and its charts' chunk, requested together: the charts' chunk would
 * otherwise start only once the page's chunk has arrived and run, one round trip later (about
 * 0.3 s of the page's time to interactive in bench/insights.bench.ts). The module system keeps
 * one request per chunk, so the page's own import of the charts reuses this one.
 */
export function loadInsightsPage() {
  import('./InsightsCharts.js').catch(() => {
    // Offline or a deploy replaced the chunk: the page's lazy charts ask again and report it.
  });
  return import('./InsightsPage.js');
}
