/** Pipelines and shapes of look-and-feel.test.ts (kept apart so the test reads as scenarios). */

/** Four test cases (2 passed, 1 failed, 1 skipped) and 83.4% coverage from the log; exits 0. */
export const pipeline = (image: string) => `version: 1
image: ${image}
stages:
  - name: test
    jobs:
      unit:
        script:
          - mkdir -p reports
          - printf '<testsuites><testsuite name="s"><testcase classname="a" name="one"/><testcase classname="a" name="two"/><testcase classname="a" name="three"><failure message="no">x</failure></testcase><testcase classname="a" name="four"><skipped/></testcase></testsuite></testsuites>' > reports/junit.xml
          - echo "Lines 83.4% covered"
        reports: { junit: reports/junit.xml, coverage: { regex: 'Lines ([0-9.]+)% covered' } }
  - name: pack
    jobs:
      pack:
        script:
          - echo "greeting=$GREETING"
`;
export const slow = (image: string) =>
  `version: 1\nimage: ${image}\nstages:\n  - name: wait\n    jobs:\n      wait: { script: ["sleep 300"] }\n`;

export interface RunJson {
  number: number;
  status: string;
  trigger: string;
  actor: string;
  ref: { kind: string; name: string };
  variables: string[];
  tests?: { passed: number; failed: number; skipped: number; coverage: number | null } | null;
}
