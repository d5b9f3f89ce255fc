//! How the graph recognises each documented path: its mechanism (what the target is, and how
//! each of its permissions is checked) and the permissions it needs, as pathfinding.cloud lists
//! them. A test checks that the permissions here are exactly the documented ones, so a change
//! upstream shows up as a failing test rather than a silent drift.

use model::ServiceKind;

/// The service principals a role must trust for a path through a service.
pub type Services = &'static [&'static str];

/// Which principal's permissions a change of policies touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Changes {
    /// `iam:PutRolePolicy` / `iam:AttachRolePolicy` on a role.
    Role,
    /// `iam:PutUserPolicy` / `iam:AttachUserPolicy` on a user.
    User,
    /// `iam:PutGroupPolicy` / `iam:AttachGroupPolicy` on a group: its members.
    Group,
    /// `iam:CreatePolicyVersion` on a customer-managed policy: whoever it is attached to.
    PolicyVersion,
}

/// How the changer then acts as the principal whose permissions it changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActsAs {
    /// It is that principal (or a member of that group).
    Itself,
    /// It can assume the role (a can-assume edge).
    AssumeRole,
    /// It can rewrite the role's trust policy (the `iam-012` edge).
    UpdateTrust,
    /// It can create an access key for the user (the `iam-002`/`iam-003` edges).
    AccessKey,
}

/// What a path does, and so what its target is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    /// `sts:AssumeRole` on a role whose trust allows the caller: the can-assume edges.
    AssumeRole,
    /// Pass a role to a service that then runs the caller's code with it: targets are the roles
    /// of the caller's account whose trust allows one of `services`.
    NewPassRole { services: Services, instance_profile: bool },
    /// Take over an existing resource of a service that runs as a role (of kind `listed`, when
    /// rolegraph reads that kind; a CodeBuild
    /// project configured for batch builds when `batch`). When the exports list the account's
    /// resources of that kind, they are the targets; else every role of the account that trusts
    /// the service is, under the assumption that such a resource runs as it.
    ExistingServiceRole {
        services: Services,
        instance_profile: bool,
        resource: &'static str,
        listed: Option<ServiceKind>,
        batch: bool,
    },
    /// Run commands on an EC2 instance of the snapshot: the target is the instance (which runs
    /// as its profile's role).
    Ec2Instance,
    /// Change the code of a Lambda function of the snapshot: the target is the function.
    LambdaFunction { needs_trigger: bool },
    /// Get credentials of a user of the account: an access key or a console password.
    UserCredentials { login_profile: Option<bool>, delete_key: bool },
    /// Rewrite a role's trust policy to name the caller, then assume it.
    UpdateTrust,
    /// Add oneself (a user) to a group.
    AddUserToGroup,
    /// Change a principal's permissions, then act as it: the target is the account's
    /// administrator node.
    Change { changes: Changes, acts_as: ActsAs },
}

/// One documented path.
#[derive(Clone, Copy, Debug)]
pub struct PathSpec {
    pub id: &'static str,
    pub mechanism: Mechanism,
    /// The permissions the path needs, as documented, in the documented order.
    pub actions: &'static [&'static str],
}

const LAMBDA: Services = &["lambda.amazonaws.com"];
const EC2: Services = &["ec2.amazonaws.com"];
const ECS: Services = &["ecs-tasks.amazonaws.com"];
const GLUE: Services = &["glue.amazonaws.com"];
const SAGEMAKER: Services = &["sagemaker.amazonaws.com"];
const CODEBUILD: Services = &["codebuild.amazonaws.com"];
const CFN: Services = &["cloudformation.amazonaws.com"];
const APPRUNNER: Services = &["tasks.apprunner.amazonaws.com"];
const BEDROCK: Services = &["bedrock-agentcore.amazonaws.com"];
const BATCH: Services = &["ecs-tasks.amazonaws.com"];
const BRAKET: Services = &["braket.amazonaws.com"];
/// Identity pools: the role trusts `cognito-identity.amazonaws.com` as a federated principal
/// (`sts:AssumeRoleWithWebIdentity`), see `assume::service_trust`.
pub const COGNITO_IDENTITY: &str = "cognito-identity.amazonaws.com";
const COGNITO: Services = &[COGNITO_IDENTITY];
const EMR_SERVERLESS: Services = &["emr-serverless.amazonaws.com"];
const GAMELIFT: Services = &["gamelift.amazonaws.com"];
const KINESIS_ANALYTICS: Services = &["kinesisanalytics.amazonaws.com"];
const OMICS: Services = &["omics.amazonaws.com"];
const SSM: Services = &["ssm.amazonaws.com"];
const DATAPIPELINE: Services = &["datapipeline.amazonaws.com", "elasticmapreduce.amazonaws.com"];

const fn new(services: Services) -> Mechanism {
    Mechanism::NewPassRole { services, instance_profile: false }
}

const fn existing(services: Services, listed: ServiceKind) -> Mechanism {
    Mechanism::ExistingServiceRole {
        services,
        instance_profile: false,
        resource: listed.label(),
        listed: Some(listed),
        batch: false,
    }
}

/// An existing resource of a kind rolegraph does not read: always on the assumption that one
/// runs as each role that trusts the service.
const fn assumed(services: Services, resource: &'static str) -> Mechanism {
    Mechanism::ExistingServiceRole { services, instance_profile: false, resource, listed: None, batch: false }
}

const fn change(changes: Changes, acts_as: ActsAs) -> Mechanism {
    Mechanism::Change { changes, acts_as }
}

/// Every documented path, sorted by id.
pub const PATHS: &[PathSpec] = &[
    PathSpec { id: "apprunner-001", mechanism: new(APPRUNNER), actions: &["iam:PassRole", "apprunner:CreateService"] },
    PathSpec {
        id: "apprunner-002",
        mechanism: existing(APPRUNNER, ServiceKind::AppRunnerService),
        actions: &["apprunner:UpdateService"],
    },
    PathSpec {
        id: "batch-001",
        mechanism: new(BATCH),
        actions: &["iam:PassRole", "batch:RegisterJobDefinition", "batch:SubmitJob"],
    },
    PathSpec {
        id: "batch-002",
        mechanism: assumed(BATCH, "Batch job definition with a job role, on a job queue"),
        actions: &["batch:SubmitJob"],
    },
    PathSpec {
        id: "batch-003",
        mechanism: new(BATCH),
        actions: &[
            "iam:PassRole",
            "batch:CreateComputeEnvironment",
            "batch:CreateJobQueue",
            "batch:RegisterJobDefinition",
            "batch:SubmitJob",
        ],
    },
    PathSpec {
        id: "bedrock-001",
        mechanism: new(BEDROCK),
        actions: &[
            "iam:PassRole",
            "bedrock-agentcore:CreateCodeInterpreter",
            "bedrock-agentcore:StartCodeInterpreterSession",
            "bedrock-agentcore:InvokeCodeInterpreter",
        ],
    },
    PathSpec {
        id: "bedrock-002",
        mechanism: assumed(BEDROCK, "Bedrock AgentCore code interpreter"),
        actions: &["bedrock-agentcore:StartCodeInterpreterSession", "bedrock-agentcore:InvokeCodeInterpreter"],
    },
    PathSpec {
        id: "bedrock-003",
        mechanism: new(BEDROCK),
        actions: &[
            "iam:PassRole",
            "bedrock-agentcore:CreateAgentRuntime",
            "bedrock-agentcore:CreateAgentRuntimeEndpoint",
            "bedrock-agentcore:CreateWorkloadIdentity",
            "bedrock-agentcore:InvokeAgentRuntimeCommand",
        ],
    },
    PathSpec {
        id: "bedrock-004",
        mechanism: assumed(BEDROCK, "Bedrock AgentCore runtime with IAM inbound authorization"),
        actions: &["bedrock-agentcore:InvokeAgentRuntimeCommand"],
    },
    PathSpec {
        id: "bedrock-005",
        mechanism: new(BEDROCK),
        actions: &[
            "iam:PassRole",
            "bedrock-agentcore:CreateHarness",
            "bedrock-agentcore:CreateAgentRuntime",
            "bedrock-agentcore:CreateAgentRuntimeEndpoint",
            "bedrock-agentcore:CreateWorkloadIdentity",
            "bedrock-agentcore:GetAgentRuntime",
            "bedrock-agentcore:GetHarness",
            "bedrock-agentcore:InvokeAgentRuntimeCommand",
        ],
    },
    PathSpec {
        id: "bedrock-006",
        mechanism: new(BEDROCK),
        actions: &[
            "iam:PassRole",
            "bedrock-agentcore:CreateBrowser",
            "bedrock-agentcore:StartBrowserSession",
            "bedrock-agentcore:ConnectBrowserAutomationStream",
        ],
    },
    PathSpec {
        id: "bedrock-007",
        mechanism: assumed(BEDROCK, "Bedrock AgentCore custom browser"),
        actions: &["bedrock-agentcore:StartBrowserSession", "bedrock-agentcore:ConnectBrowserAutomationStream"],
    },
    PathSpec { id: "braket-001", mechanism: new(BRAKET), actions: &["iam:PassRole", "braket:CreateJob"] },
    PathSpec { id: "cloudformation-001", mechanism: new(CFN), actions: &["iam:PassRole", "cloudformation:CreateStack"] },
    PathSpec {
        id: "cloudformation-002",
        mechanism: existing(CFN, ServiceKind::CloudFormationStack),
        actions: &["cloudformation:UpdateStack"],
    },
    PathSpec {
        id: "cloudformation-003",
        mechanism: new(CFN),
        actions: &["iam:PassRole", "cloudformation:CreateStackSet", "cloudformation:CreateStackInstances"],
    },
    PathSpec { id: "cloudformation-004", mechanism: new(CFN), actions: &["iam:PassRole", "cloudformation:UpdateStackSet"] },
    PathSpec {
        id: "cloudformation-005",
        mechanism: existing(CFN, ServiceKind::CloudFormationStack),
        actions: &["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"],
    },
    PathSpec {
        id: "codebuild-001",
        mechanism: new(CODEBUILD),
        actions: &["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"],
    },
    PathSpec {
        id: "codebuild-002",
        mechanism: existing(CODEBUILD, ServiceKind::CodeBuildProject),
        actions: &["codebuild:StartBuild"],
    },
    PathSpec {
        id: "codebuild-003",
        mechanism: Mechanism::ExistingServiceRole {
            services: CODEBUILD,
            instance_profile: false,
            resource: "CodeBuild project configured for batch builds",
            listed: Some(ServiceKind::CodeBuildProject),
            batch: true,
        },
        actions: &["codebuild:StartBuildBatch"],
    },
    PathSpec {
        id: "codebuild-004",
        mechanism: new(CODEBUILD),
        actions: &["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuildBatch"],
    },
    PathSpec {
        id: "codedeploy-001",
        mechanism: Mechanism::ExistingServiceRole {
            services: EC2,
            instance_profile: true,
            resource: "EC2 instance of a CodeDeploy deployment group",
            listed: None,
            batch: false,
        },
        actions: &["codedeploy:CreateDeployment", "codedeploy:RegisterApplicationRevision", "codedeploy:GetDeploymentConfig"],
    },
    PathSpec {
        id: "cognitoidentity-001",
        mechanism: new(COGNITO),
        actions: &["iam:PassRole", "cognito-identity:SetIdentityPoolRoles"],
    },
    PathSpec {
        id: "datapipeline-001",
        mechanism: new(DATAPIPELINE),
        actions: &[
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ],
    },
    PathSpec {
        id: "ec2-001",
        mechanism: Mechanism::NewPassRole { services: EC2, instance_profile: true },
        actions: &["iam:PassRole", "ec2:RunInstances"],
    },
    PathSpec {
        id: "ec2-002",
        mechanism: Mechanism::Ec2Instance,
        actions: &["ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"],
    },
    PathSpec {
        id: "ec2-003",
        mechanism: Mechanism::NewPassRole { services: EC2, instance_profile: true },
        actions: &["iam:PassRole", "ec2:RequestSpotInstances"],
    },
    PathSpec {
        id: "ec2-004",
        mechanism: Mechanism::ExistingServiceRole {
            services: EC2,
            instance_profile: true,
            resource: "launch template",
            listed: Some(ServiceKind::LaunchTemplate),
            batch: false,
        },
        actions: &["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"],
    },
    PathSpec {
        id: "ec2-005",
        mechanism: Mechanism::ExistingServiceRole {
            services: EC2,
            instance_profile: true,
            resource: "launch template",
            listed: Some(ServiceKind::LaunchTemplate),
            batch: false,
        },
        actions: &["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"],
    },
    PathSpec {
        id: "ec2instanceconnect-003",
        mechanism: Mechanism::Ec2Instance,
        actions: &["ec2-instance-connect:SendSSHPublicKey", "ec2:DescribeInstances"],
    },
    PathSpec {
        id: "ecs-001",
        mechanism: new(ECS),
        actions: &["iam:PassRole", "ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:CreateService"],
    },
    PathSpec {
        id: "ecs-002",
        mechanism: new(ECS),
        actions: &["iam:PassRole", "ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
    },
    PathSpec {
        id: "ecs-003",
        mechanism: new(ECS),
        actions: &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:CreateService"],
    },
    PathSpec { id: "ecs-004", mechanism: new(ECS), actions: &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"] },
    PathSpec { id: "ecs-005", mechanism: new(ECS), actions: &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:StartTask"] },
    PathSpec {
        id: "ecs-006",
        mechanism: assumed(ECS, "running ECS task with ECS Exec enabled"),
        actions: &["ecs:ExecuteCommand", "ecs:DescribeTasks"],
    },
    PathSpec { id: "ecs-007", mechanism: new(ECS), actions: &["iam:PassRole", "ecs:RegisterContainerInstance", "ecs:StartTask"] },
    PathSpec { id: "ecs-008", mechanism: new(ECS), actions: &["iam:PassRole", "ecs:RunTask"] },
    PathSpec { id: "ecs-009", mechanism: new(ECS), actions: &["iam:PassRole", "ecs:StartTask"] },
    PathSpec {
        id: "emr-001",
        mechanism: Mechanism::NewPassRole { services: EC2, instance_profile: true },
        actions: &["iam:PassRole", "elasticmapreduce:RunJobFlow"],
    },
    PathSpec {
        id: "emrserverless-001",
        mechanism: new(EMR_SERVERLESS),
        actions: &["iam:PassRole", "emr-serverless:CreateApplication", "emr-serverless:StartJobRun"],
    },
    PathSpec {
        id: "gamelift-001",
        mechanism: new(GAMELIFT),
        actions: &["iam:PassRole", "gamelift:CreateBuild", "gamelift:CreateFleet", "gamelift:RequestUploadCredentials"],
    },
    PathSpec { id: "glue-001", mechanism: new(GLUE), actions: &["iam:PassRole", "glue:CreateDevEndpoint"] },
    PathSpec { id: "glue-002", mechanism: existing(GLUE, ServiceKind::GlueDevEndpoint), actions: &["glue:UpdateDevEndpoint"] },
    PathSpec { id: "glue-003", mechanism: new(GLUE), actions: &["iam:PassRole", "glue:CreateJob", "glue:StartJobRun"] },
    PathSpec { id: "glue-004", mechanism: new(GLUE), actions: &["iam:PassRole", "glue:CreateJob", "glue:CreateTrigger"] },
    PathSpec { id: "glue-005", mechanism: new(GLUE), actions: &["iam:PassRole", "glue:UpdateJob", "glue:StartJobRun"] },
    PathSpec { id: "glue-006", mechanism: new(GLUE), actions: &["iam:PassRole", "glue:UpdateJob", "glue:CreateTrigger"] },
    PathSpec { id: "glue-007", mechanism: new(GLUE), actions: &["iam:PassRole", "glue:CreateSession", "glue:RunStatement"] },
    PathSpec { id: "iam-001", mechanism: change(Changes::PolicyVersion, ActsAs::Itself), actions: &["iam:CreatePolicyVersion"] },
    PathSpec {
        id: "iam-002",
        mechanism: Mechanism::UserCredentials { login_profile: None, delete_key: false },
        actions: &["iam:CreateAccessKey"],
    },
    PathSpec {
        id: "iam-003",
        mechanism: Mechanism::UserCredentials { login_profile: None, delete_key: true },
        actions: &["iam:CreateAccessKey", "iam:DeleteAccessKey"],
    },
    PathSpec {
        id: "iam-004",
        mechanism: Mechanism::UserCredentials { login_profile: Some(false), delete_key: false },
        actions: &["iam:CreateLoginProfile"],
    },
    PathSpec { id: "iam-005", mechanism: change(Changes::Role, ActsAs::Itself), actions: &["iam:PutRolePolicy"] },
    PathSpec {
        id: "iam-006",
        mechanism: Mechanism::UserCredentials { login_profile: Some(true), delete_key: false },
        actions: &["iam:UpdateLoginProfile"],
    },
    PathSpec { id: "iam-007", mechanism: change(Changes::User, ActsAs::Itself), actions: &["iam:PutUserPolicy"] },
    PathSpec { id: "iam-008", mechanism: change(Changes::User, ActsAs::Itself), actions: &["iam:AttachUserPolicy"] },
    PathSpec { id: "iam-009", mechanism: change(Changes::Role, ActsAs::Itself), actions: &["iam:AttachRolePolicy"] },
    PathSpec { id: "iam-010", mechanism: change(Changes::Group, ActsAs::Itself), actions: &["iam:AttachGroupPolicy"] },
    PathSpec { id: "iam-011", mechanism: change(Changes::Group, ActsAs::Itself), actions: &["iam:PutGroupPolicy"] },
    PathSpec { id: "iam-012", mechanism: Mechanism::UpdateTrust, actions: &["iam:UpdateAssumeRolePolicy"] },
    PathSpec { id: "iam-013", mechanism: Mechanism::AddUserToGroup, actions: &["iam:AddUserToGroup"] },
    PathSpec {
        id: "iam-014",
        mechanism: change(Changes::Role, ActsAs::AssumeRole),
        actions: &["iam:AttachRolePolicy", "sts:AssumeRole"],
    },
    PathSpec {
        id: "iam-015",
        mechanism: change(Changes::User, ActsAs::AccessKey),
        actions: &["iam:AttachUserPolicy", "iam:CreateAccessKey"],
    },
    PathSpec {
        id: "iam-016",
        mechanism: change(Changes::PolicyVersion, ActsAs::AssumeRole),
        actions: &["iam:CreatePolicyVersion", "sts:AssumeRole"],
    },
    PathSpec {
        id: "iam-017",
        mechanism: change(Changes::Role, ActsAs::AssumeRole),
        actions: &["iam:PutRolePolicy", "sts:AssumeRole"],
    },
    PathSpec {
        id: "iam-018",
        mechanism: change(Changes::User, ActsAs::AccessKey),
        actions: &["iam:PutUserPolicy", "iam:CreateAccessKey"],
    },
    PathSpec {
        id: "iam-019",
        mechanism: change(Changes::Role, ActsAs::UpdateTrust),
        actions: &["iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"],
    },
    PathSpec {
        id: "iam-020",
        mechanism: change(Changes::PolicyVersion, ActsAs::UpdateTrust),
        actions: &["iam:CreatePolicyVersion", "iam:UpdateAssumeRolePolicy"],
    },
    PathSpec {
        id: "iam-021",
        mechanism: change(Changes::Role, ActsAs::UpdateTrust),
        actions: &["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"],
    },
    PathSpec {
        id: "imagebuilder-001",
        mechanism: Mechanism::NewPassRole { services: EC2, instance_profile: true },
        actions: &[
            "iam:PassRole",
            "imagebuilder:CreateComponent",
            "imagebuilder:CreateImageRecipe",
            "imagebuilder:CreateInfrastructureConfiguration",
            "imagebuilder:CreateImage",
        ],
    },
    PathSpec {
        id: "kinesisanalytics-001",
        mechanism: new(KINESIS_ANALYTICS),
        actions: &["iam:PassRole", "kinesisanalytics:CreateApplication", "kinesisanalytics:StartApplication"],
    },
    PathSpec {
        id: "lambda-001",
        mechanism: new(LAMBDA),
        actions: &["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
    },
    PathSpec {
        id: "lambda-002",
        mechanism: new(LAMBDA),
        actions: &["iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
    },
    PathSpec {
        id: "lambda-003",
        mechanism: Mechanism::LambdaFunction { needs_trigger: true },
        actions: &["lambda:UpdateFunctionCode"],
    },
    PathSpec {
        id: "lambda-004",
        mechanism: Mechanism::LambdaFunction { needs_trigger: false },
        actions: &["lambda:UpdateFunctionCode", "lambda:InvokeFunction"],
    },
    PathSpec {
        id: "lambda-005",
        mechanism: Mechanism::LambdaFunction { needs_trigger: false },
        actions: &["lambda:UpdateFunctionCode", "lambda:AddPermission"],
    },
    PathSpec {
        id: "lambda-006",
        mechanism: new(LAMBDA),
        actions: &["iam:PassRole", "lambda:CreateFunction", "lambda:AddPermission"],
    },
    PathSpec {
        id: "omics-001",
        mechanism: new(OMICS),
        actions: &["iam:PassRole", "omics:CreateWorkflow", "omics:StartRun", "s3:GetObject"],
    },
    PathSpec { id: "sagemaker-001", mechanism: new(SAGEMAKER), actions: &["iam:PassRole", "sagemaker:CreateNotebookInstance"] },
    PathSpec { id: "sagemaker-002", mechanism: new(SAGEMAKER), actions: &["iam:PassRole", "sagemaker:CreateTrainingJob"] },
    PathSpec { id: "sagemaker-003", mechanism: new(SAGEMAKER), actions: &["iam:PassRole", "sagemaker:CreateProcessingJob"] },
    PathSpec {
        id: "sagemaker-004",
        mechanism: existing(SAGEMAKER, ServiceKind::SageMakerNotebook),
        actions: &["sagemaker:CreatePresignedNotebookInstanceUrl"],
    },
    PathSpec {
        id: "sagemaker-005",
        mechanism: existing(SAGEMAKER, ServiceKind::SageMakerNotebook),
        actions: &[
            "sagemaker:CreateNotebookInstanceLifecycleConfig",
            "sagemaker:StopNotebookInstance",
            "sagemaker:UpdateNotebookInstance",
            "sagemaker:StartNotebookInstance",
        ],
    },
    PathSpec { id: "ssm-001", mechanism: Mechanism::Ec2Instance, actions: &["ssm:StartSession"] },
    PathSpec { id: "ssm-002", mechanism: Mechanism::Ec2Instance, actions: &["ssm:SendCommand"] },
    PathSpec {
        id: "ssm-003",
        mechanism: new(SSM),
        actions: &["iam:PassRole", "ssm:CreateDocument", "ssm:StartAutomationExecution"],
    },
    PathSpec { id: "sts-001", mechanism: Mechanism::AssumeRole, actions: &["sts:AssumeRole"] },
];

/// The spec of a path.
pub fn spec(id: &str) -> Option<&'static PathSpec> {
    PATHS.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_path_has_a_spec_with_its_documented_permissions() {
        let documented = crate::privesc::data::paths();
        assert_eq!(documented.len(), PATHS.len());
        for (d, s) in documented.iter().zip(PATHS) {
            assert_eq!(d.id, s.id, "specs must be sorted by id like the data");
            let perms: Vec<&str> = d.required.iter().map(|r| r.permission.as_str()).collect();
            assert_eq!(perms, s.actions, "{}", s.id);
        }
    }

    #[test]
    fn every_action_is_in_the_catalog() {
        let cat = catalog::Catalog::get();
        for s in PATHS {
            for a in s.actions {
                assert!(cat.action(a).is_some(), "{} uses `{a}`, unknown to the catalog", s.id);
            }
        }
    }
}
