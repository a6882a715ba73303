import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from '../platform/config';
import { ROLES, Role, signToken } from '../platform/auth/principal';

/**
 * `npm run hub -- <command>`: operator commands.
 * @example npm run hub -- token --role COUNTY_AUTHORITY --region 130821
 */
const program = new Command('hub').description('Water-saving credit hub: operator commands').showHelpAfterError();

function config() {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}

program
  .command('token')
  .description('print a bearer token (last line of the output)')
  .addOption(new Option('--role <role>', 'caller role').choices(ROLES.filter((r) => r !== 'PUBLIC')).makeOptionMandatory())
  .option('--region <code...>', 'jurisdiction region code(s), e.g. 130800 for the whole city, 130821 for one county')
  .option('--credit-code <code>', 'ENTERPRISE: its unified social credit code')
  .option('--agency <name>', 'PARTNER_AGENCY: agency name')
  .option('--subject <id>', 'token subject (an officer or system id; no personal names)')
  .option('--expires-in <span>', 'lifetime, e.g. 12h, 30d', '30d')
  .action((o: { role: Role; region?: string[]; creditCode?: string; agency?: string; subject?: string; expiresIn: string }) => {
    const c = config();
    if (c.jwtSecretIsDev) console.error('warning: HUB_JWT_SECRET is not set; this token is signed with the development secret');
    try {
      const token = signToken({ role: o.role, regions: o.region, creditCode: o.creditCode, agency: o.agency, subject: o.subject, expiresIn: o.expiresIn }, c.jwtSecret);
      console.log(token);
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      process.exit(2);
    }
  });

program
  .command('schema')
  .description('write the served GraphQL schema to schema/schema.graphql')
  .option('--out <file>', 'output file', 'schema/schema.graphql')
  .action(async (o: { out: string }) => {
    const { printHubSchema } = await import('../schema');
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, await printHubSchema());
    console.log(`wrote ${o.out}`);
  });

program
  .command('migrate')
  .description('run pending database migrations and exit')
  .action(async () => {
    const c = config();
    const { Database } = await import('../platform/db');
    const db = await Database.connect({ url: c.databaseUrl, dataDir: c.dataDir });
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    await db.close();
  });

program
  .command('seed')
  .description('seed the demo data set into an empty database')
  .option('--enterprises <n>', 'number of enterprises', '200')
  .option('--reading-days <n>', 'days of 15-minute readings per online meter', '21')
  .action(async (o: { enterprises: string; readingDays: string }) => {
    const c = config();
    const { Database } = await import('../platform/db');
    const { loadPolicies } = await import('../modules/policy/credit-policy.loader');
    const { seedDemo } = await import('../modules/demo/demo.seed');
    const db = await Database.connect({ url: c.databaseUrl, dataDir: c.dataDir });
    await db.migrate();
    const summary = await seedDemo(db, loadPolicies(), { enterprises: Number(o.enterprises), readingDays: Number(o.readingDays) });
    console.log(summary ? JSON.stringify(summary, null, 2) : 'database already holds enterprises; nothing seeded');
    await db.close();
  });

program.parseAsync().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
