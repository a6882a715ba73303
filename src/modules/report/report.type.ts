import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ReportStatus } from '../graphql-enums';
import { Deadline } from '../calendar/calendar.type';
import { Connection } from '../../platform/graphql/connection';

@InputType({ description: 'A report that credit information is false (举报, Art. 28). Anyone may report; the reporter fields are optional.' })
export class FalseInformationReportInput {
  @Field({ description: 'The enterprise the information is about (统一社会信用代码).' }) creditCode: string;
  @Field(() => ID, { nullable: true, description: 'The credit record reported as false, if one.' }) recordId?: string | null;
  @Field({ description: 'What is false and why (at most 2000 characters).' }) content: string;
  @Field(() => String, { nullable: true, description: "The reporter's name: restricted personal data (only the handling authority sees it)." })
  reporterName?: string | null;
  @Field(() => String, { nullable: true, description: 'How to reach the reporter: restricted personal data.' }) reporterContact?: string | null;
  @Field(() => Date, {
    nullable: true,
    description: 'A report received on paper or by telephone, entered later: when it arrived (the supervising authority in scope only; default now).',
  })
  receivedAt?: Date | null;
}

@ObjectType({ simpleResolvers: true, description: 'The receipt of a report: keep the number to follow it up (reportStatus).' })
export class ReportReceipt {
  @Field({ description: 'Unguessable receipt number (回执号), e.g. JB20261202K7QX3M9PTA2W.' }) receiptNo: string;
  @Field() receivedAt: Date;
  @Field(() => Deadline, { description: 'Verification due 7 working days after receipt (Art. 28).' }) due: Deadline;
}

@ObjectType({ simpleResolvers: true, description: 'What the reporter may follow: the status and the due date, nothing else.' })
export class ReportStatusView {
  @Field() receiptNo: string;
  @Field(() => ReportStatus) status: ReportStatus;
  @Field(() => Deadline) due: Deadline;
}

@ObjectType({ simpleResolvers: true, description: "A reporter's identity (restricted personal data)." })
export class Reporter {
  @Field(() => String, { nullable: true }) name: string | null;
  @Field(() => String, { nullable: true }) contact: string | null;
}

/** A report of false credit information as the handling authority sees it; `enterprise`, `due` and `reporter` are resolved in report.resolver.ts. */
@ObjectType({ simpleResolvers: true })
export class FalseInformationReport {
  @Field(() => ID) id: string;
  @Field(() => ID, { nullable: true }) recordId: string | null;
  @Field() content: string;
  @Field(() => ReportStatus) status: ReportStatus;
  @Field() receivedAt: Date;
  @Field(() => Date, { nullable: true }) verifiedAt: Date | null;
  @Field(() => String, { nullable: true }) note: string | null;
}

@ObjectType({ simpleResolvers: true })
export class FalseInformationReportConnection extends Connection(FalseInformationReport) {}
