import type {
  MigrationOptions,
  RuleSeverity,
  ValidationCheck,
  VmDescription,
} from '@ferry/contracts';

/** What a rule is given: the VM as read again from its source, and how the job is to move it. */
export interface RuleInputs {
  readonly vm: VmDescription;
  readonly options: Pick<MigrationOptions, 'strategy' | 'keepIps'>;
}

/**
 * One pre-flight concern, as data: a stable id, how much it weighs when it applies, what to do
 * about it, and the facts it read (undefined: it does not apply).
 */
export interface PreflightRule {
  readonly id: string;
  readonly severity: RuleSeverity;
  /** What the operator should know or do when it applies. */
  readonly advice: string;
  /** What it found that makes it apply, in a few words; undefined when it does not. */
  readonly finds: (inputs: RuleInputs) => string | undefined;
}

const OUTCOME: Readonly<Record<RuleSeverity, ValidationCheck['outcome']>> = {
  critical: 'failed',
  warning: 'warning',
  info: 'passed',
};

/** A rule's result as a validation check: recorded whether it applies or not. */
export function ruleCheck(rule: PreflightRule, inputs: RuleInputs): ValidationCheck {
  const found = rule.finds(inputs);
  return found === undefined
    ? { name: rule.id, outcome: 'passed', detail: 'does not apply', severity: rule.severity }
    : {
        name: rule.id,
        outcome: OUTCOME[rule.severity],
        detail: rule.advice.slice(0, 2048),
        severity: rule.severity,
        facts: found.slice(0, 1024),
      };
}
