//! Seeds moto through the SDK: principals, trust of every kind, policies, an instance with a
//! profile, a Lambda function, an ECS service, and an organization with a member account, an
//! OU and an SCP.

use aws_config::SdkConfig;
use aws_sdk_ec2::types::IamInstanceProfileSpecification;
use aws_sdk_ecs::types::ContainerDefinition;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType};

/// moto's default account.
pub const MGMT: &str = "123456789012";

pub fn trust(principal: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}]}}"#)
}

fn allow(action: &str, resource: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#)
}

async fn role(iam: &aws_sdk_iam::Client, name: &str, trust: &str) -> String {
    let out = iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust)
        .max_session_duration(7200)
        .description(format!("the {name} role"))
        .send()
        .await
        .unwrap();
    out.role().unwrap().arn().to_owned()
}

/// What the IAM seed made.
pub struct Iam {
    pub ec2_role: String,
    pub lambda_role: String,
    pub task_role: String,
    pub deployer: String,
    pub vendor: String,
    pub github: String,
    pub profile: String,
}

/// IAM in the account of `config`: users, a group, managed and inline policies, roles trusted
/// by services, the account itself, another account (with an ExternalId) and an OIDC provider.
pub async fn iam(config: &SdkConfig) -> Iam {
    let iam = aws_sdk_iam::Client::new(config);
    let ec2_role = role(&iam, "web-ec2", &trust(r#"{"Service":"ec2.amazonaws.com"}"#)).await;
    let lambda_role = role(&iam, "orders-lambda", &trust(r#"{"Service":"lambda.amazonaws.com"}"#)).await;
    let task_role = role(&iam, "worker-task", &trust(r#"{"Service":"ecs-tasks.amazonaws.com"}"#)).await;
    let deployer = role(&iam, "deployer", &trust(&format!(r#"{{"AWS":"arn:aws:iam::{MGMT}:root"}}"#))).await;
    let vendor_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::464622532012:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x-123"}}}]}"#;
    let vendor = role(&iam, "vendor-audit", vendor_trust).await;
    let provider = iam
        .create_open_id_connect_provider()
        .url("https://token.actions.githubusercontent.com")
        .client_id_list("sts.amazonaws.com")
        .thumbprint_list("6938fd4d98bab03faadb97b34396831e3780aea1")
        .send()
        .await
        .unwrap()
        .open_id_connect_provider_arn()
        .unwrap()
        .to_owned();
    let github_trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}}}}}]}}"#
    );
    let github = role(&iam, "github-deploy", &github_trust).await;

    let read = iam
        .create_policy()
        .policy_name("read-buckets")
        .policy_document(allow("s3:GetObject", "*"))
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    iam.attach_role_policy().role_name("web-ec2").policy_arn(&read).send().await.unwrap();
    iam.put_role_policy()
        .role_name("orders-lambda")
        .policy_name("logs")
        .policy_document(allow("logs:PutLogEvents", "*"))
        .send()
        .await
        .unwrap();
    iam.put_role_policy().role_name("deployer").policy_name("admin").policy_document(allow("*", "*")).send().await.unwrap();

    iam.create_user().user_name("alice").send().await.unwrap();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.add_user_to_group().group_name("devs").user_name("alice").send().await.unwrap();
    iam.attach_group_policy().group_name("devs").policy_arn(&read).send().await.unwrap();
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("assume")
        .policy_document(allow("sts:AssumeRole", "arn:aws:iam::*:role/*"))
        .send()
        .await
        .unwrap();

    let profile = iam
        .create_instance_profile()
        .instance_profile_name("web-profile")
        .send()
        .await
        .unwrap()
        .instance_profile()
        .unwrap()
        .arn()
        .to_owned();
    iam.add_role_to_instance_profile().instance_profile_name("web-profile").role_name("web-ec2").send().await.unwrap();
    Iam { ec2_role, lambda_role, task_role, deployer, vendor, github, profile }
}

/// An EC2 instance with the profile, a launch template that launches with it, a Lambda
/// function, and an ECS service with a task role.
pub async fn compute(config: &SdkConfig, seeded: &Iam) -> (String, String) {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let run = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .instance_type(aws_sdk_ec2::types::InstanceType::T2Micro)
        .min_count(1)
        .max_count(1)
        .iam_instance_profile(IamInstanceProfileSpecification::builder().arn(&seeded.profile).build())
        .send()
        .await
        .unwrap();
    let instance = run.instances()[0].instance_id().unwrap().to_owned();
    let data = aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
        .image_id("ami-12c6146b")
        .iam_instance_profile(
            aws_sdk_ec2::types::LaunchTemplateIamInstanceProfileSpecificationRequest::builder().arn(&seeded.profile).build(),
        )
        .build();
    ec2.create_launch_template().launch_template_name("web-template").launch_template_data(data).send().await.unwrap();

    // An empty zip archive: enough for moto to create (not run) the function.
    let zip = vec![0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let lambda = aws_sdk_lambda::Client::new(config);
    let function = lambda
        .create_function()
        .function_name("orders")
        .runtime(Runtime::Python312)
        .role(&seeded.lambda_role)
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .unwrap()
        .function_arn()
        .unwrap()
        .to_owned();

    let ecs = aws_sdk_ecs::Client::new(config);
    ecs.create_cluster().cluster_name("main").send().await.unwrap();
    ecs.register_task_definition()
        .family("worker")
        .task_role_arn(&seeded.task_role)
        .container_definitions(ContainerDefinition::builder().name("app").image("acme/worker:1").memory(128).build())
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster("main")
        .service_name("worker-svc")
        .task_definition("worker")
        .desired_count(1)
        .send()
        .await
        .unwrap();
    (instance, function)
}

/// What the organization seed made.
pub struct Org {
    pub member: String,
    pub ou: String,
    pub scp: String,
}

/// An organization with an OU holding a member account, and an SCP attached to the OU.
pub async fn organization(config: &SdkConfig) -> Org {
    let org = aws_sdk_organizations::Client::new(config);
    org.create_organization().feature_set(OrganizationFeatureSet::All).send().await.unwrap();
    let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_owned();
    let ou = org
        .create_organizational_unit()
        .parent_id(&root)
        .name("workloads")
        .send()
        .await
        .unwrap()
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let status = org.create_account().account_name("member").email("member@example.com").send().await.unwrap();
    let member = status.create_account_status().unwrap().account_id().unwrap().to_owned();
    org.move_account().account_id(&member).source_parent_id(&root).destination_parent_id(&ou).send().await.unwrap();
    let scp = org
        .create_policy()
        .name("deny-leave")
        .description("no leaving")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    org.attach_policy().policy_id(&scp).target_id(&ou).send().await.unwrap();
    Org { member, ou, scp }
}

/// The configuration of `OrganizationAccountAccessRole` in `account` (moto serves each
/// assumed account's own data).
pub async fn assumed(config: &SdkConfig, account: &str) -> SdkConfig {
    let sts = aws_sdk_sts::Client::new(config);
    let c = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole"))
        .role_session_name("seed")
        .send()
        .await
        .unwrap();
    let c = c.credentials().unwrap();
    let creds = aws_sdk_sts::config::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "seed",
    );
    config.to_builder().credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(creds)).build()
}
