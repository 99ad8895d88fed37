/**
 * Labels every agent has without being told: `os` and `arch` of the host it runs on (Node's
 * names: linux/darwin/win32, x64/arm64), so `runs_on: { arch: arm64 }` works with no setup.
 * Labels the operator declares win over these.
 */
export function hostLabels(): Record<string, string> {
  return { os: process.platform, arch: process.arch };
}

export function agentLabels(declared: Record<string, string>): Record<string, string> {
  return { ...hostLabels(), ...declared };
}
