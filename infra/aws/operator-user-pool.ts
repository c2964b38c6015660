/**
 * The Cognito user pool of the API's operators, created when `auth=cognito` and no existing pool is
 * given. Users are data: the pool lives in the stateful stack and is retained.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccountRecovery, FeaturePlan, Mfa, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface OperatorUserPoolProps {
  deletionProtection: boolean;
}

export class OperatorUserPool extends Construct {
  readonly userPool: UserPool;
  /** Public client (no secret) for the CLI and a browser console: SRP sign-in, ID tokens for the API. */
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, props: OperatorUserPoolProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      // Operators can start billable channels: an administrator invites them, nobody signs up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: props.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient('ApiClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The pool signs in a few invited operators (no self sign-up, MFA required); the Plus feature plan (threat protection, billed per active user) is left to operators who need it.',
    });
  }
}
