// Preloaded into the Firebase Auth emulator's Node process (NODE_OPTIONS=--require) by tests/cli/test_login.py:
// moves its clock (Date.now, which jsonwebtoken reads for `iat` and `exp`) by AUTH_EMULATOR_CLOCK_SHIFT_S seconds.
// With a shift of -(3600 - L) the emulator's one-hour ID tokens expire L real seconds after they are issued, for the
// functions' real clock as for the CLI's: a real expiry across processes, where freezegun cannot reach.
"use strict";
const shiftMs = Number(process.env.AUTH_EMULATOR_CLOCK_SHIFT_S || "0") * 1000;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + shiftMs;
