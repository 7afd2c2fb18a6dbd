import type { ValidationCheck } from '@ferry/contracts';
import { ruleCheck, type RuleInputs } from './rule.ts';
import { PREFLIGHT_RULES } from './rules.ts';

/** Every pre-flight rule's result for the VM, in the catalogue's order: each recorded. */
export const preflightChecks = (inputs: RuleInputs): ValidationCheck[] =>
  PREFLIGHT_RULES.map((rule) => ruleCheck(rule, inputs));
