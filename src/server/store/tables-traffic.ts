/** Rows of traffic reporting (migration 029, issue #13). Times are Unix ms. */
export interface TrafficReportRow {
  agent_id: string;
  /** The id the agent gave the report; a re-sent report carries the same one. */
  report_id: string;
  received_at: number;
}

/** Why a release ended as it did, as a code with parameters (JSON object). */
export interface ReleaseReasonRow {
  release_id: string;
  code: string;
  params: string;
}

export interface TrafficTables {
  traffic_reports: TrafficReportRow;
  release_reasons: ReleaseReasonRow;
}
