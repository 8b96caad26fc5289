import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'verification-sign-off', severity: 'error', description: "a verification phase without sign_off", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
