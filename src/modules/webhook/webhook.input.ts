import { Field, InputType } from 'type-graphql';

@InputType()
export class WebhookInput {
  @Field() url: string;
  @Field(() => [String]) events: string[];
  @Field(() => String, { nullable: true, description: 'whsec_ + base64 of 24-64 bytes; generated when absent.' }) secret?: string | null;
  @Field(() => String, { nullable: true, description: 'Only changes in this region (inside your jurisdiction).' }) regionCode?: string | null;
  @Field(() => String, { nullable: true, description: 'Only changes of this enterprise.' }) creditCode?: string | null;
}
