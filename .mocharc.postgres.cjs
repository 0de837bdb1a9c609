// The unit suites again with every store on PostgreSQL (WALNUT_TEST_BACKEND=postgres, set by
// `npm test`): the same knex and objection code on both backends. Tests about the SQLite file
// itself name their backend and run on SQLite only.
const base = require('./.mocharc.cjs');

module.exports = { ...base, spec: ['test/unit/**/*.test.ts'] };
