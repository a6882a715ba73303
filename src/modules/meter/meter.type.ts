import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true })
export class Meter {
  @Field(() => ID) id: string;
  @Field() meterCode: string;
  @Field({ description: "True for an online meter that must be networked with the authority's monitoring system." }) online: boolean;
  @Field(() => Int, { description: 'Three-level metering: 1 = intake/enterprise, 2 = workshop, 3 = device.' }) level: number;
  @Field(() => Int, { description: 'Expected seconds between readings of an online meter.' }) reportingIntervalSeconds: number;
  @Field(() => Float, { nullable: true, description: 'Largest plausible flow, cubic metres per hour.' }) maxFlowRate: number | null;
  @Field(() => Date, { nullable: true }) calibrationExpiresAt: Date | null;
  @Field(() => Date, { nullable: true }) lastReadingAt: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class MeterReading {
  @Field() readAt: Date;
  @Field(() => Float, { description: 'Totaliser value, cubic metres.' }) cumulativeVolume: number;
  @Field(() => Float, { nullable: true, description: 'Instantaneous flow, cubic metres per hour.' }) flowRate: number | null;
}
