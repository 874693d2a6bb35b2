import { diagnose, formatFindings } from './doctor.js';

/** `npm run doctor`: checks the configuration in the environment and the live IdP; exits 1 on errors. */
const findings = await diagnose(process.env);
process.stdout.write(`${formatFindings(findings)}\n`);
const errors = findings.filter((f) => f.severity === 'error').length;
const warnings = findings.filter((f) => f.severity === 'warn').length;
process.stdout.write(`\n${errors} error(s), ${warnings} warning(s)\n`);
process.exitCode = errors > 0 ? 1 : 0;
