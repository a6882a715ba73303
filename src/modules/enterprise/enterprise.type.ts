import { Field, ID, ObjectType } from 'type-graphql';
import { Connection } from '../../platform/graphql/connection';

@ObjectType({ simpleResolvers: true })
export class Enterprise {
  @Field(() => ID) id: string;
  @Field({ description: '18-character unified social credit code; check character validated (GB 32100-2015).' }) creditCode: string;
  @Field() name: string;
  @Field({ description: '6-digit administrative division code of the county (or city) that supervises it.' }) regionCode: string;
  @Field(() => String, { nullable: true }) industry: string | null;
  @Field({ description: 'True when a provincial authority registered this code despite a failing check character (early pilot codes).' })
  checkOverride: boolean;
}

@ObjectType({ simpleResolvers: true })
export class EnterpriseConnection extends Connection(Enterprise) {}
