//! Store errors, mapped once from the driver.

use qiangji_domain::member::MemberError;
use qiangji_domain::org::OrgError;
use qiangji_domain::orglife::attachment::AttachmentError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Does not exist, or is outside the actor's scope — the two are deliberately indistinguishable.
    #[error("记录不存在或不在您的管理范围内")]
    NotFound,
    /// The actor's role does not allow the operation.
    #[error("您的角色无权进行此操作")]
    Forbidden,
    #[error("{0}")]
    Org(#[from] OrgError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("；"))]
    Member(Vec<MemberError>),
    #[error("身份证号 {0} 已登记为其他党员")]
    DuplicateIdNumber(String),
    #[error("用户名 {0} 已存在")]
    DuplicateUsername(String),
    /// A rule, or the rule set with it, that cannot be right.
    #[error("{0}")]
    Rule(#[from] qiangji_domain::orglife::RuleSetError),
    #[error("{0}")]
    Attachment(#[from] AttachmentError),
    /// A development step the 细则 does not allow, or an application that is not valid.
    #[error("{0}")]
    Development(#[from] qiangji_domain::development::DevError),
    #[error("{0}")]
    Applicant(#[from] qiangji_domain::development::ApplicantError),
    /// A sponsor (入党介绍人) who is not an active full member within the actor's scope.
    #[error("入党介绍人“{0}”不是本系统中可见的正式党员")]
    SponsorNotFull(String),
    #[error("身份证号 {0} 已登记为入党申请人或发展对象")]
    DevelopeeExists(String),
    /// A yearly development plan that cannot be right.
    #[error("{0}")]
    PlanInvalid(String),
    #[error("{0}")]
    Transfer(#[from] qiangji_domain::transfer::TransferError),
    #[error("{0}")]
    Letter(#[from] qiangji_domain::transfer::LetterError),
    #[error("{0}")]
    Status(#[from] qiangji_domain::member::StatusError),
    /// A business rule with its own stable code (`member.in_transfer`, `transfer.already_open`…).
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("{0}")]
    Floating(#[from] qiangji_domain::floating::FloatingError),
    #[error("{0}")]
    Registry(#[from] qiangji_domain::floating::registry::RegistryError),
    #[error("{0}")]
    HostEntity(#[from] qiangji_domain::host_entity::HostEntityError),
    #[error("{0}")]
    Invalid(String),
    #[error("数据库不可用：{0}")]
    Unavailable(String),
    #[error("数据库错误：{0}")]
    Other(String),
}

impl StoreError {
    /// Stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound => "not_found",
            StoreError::Forbidden => "forbidden",
            StoreError::Org(e) => e.code(),
            StoreError::Member(errors) => errors.first().map_or("member.invalid", MemberError::code),
            StoreError::DuplicateIdNumber(_) => "member.id_number_duplicate",
            StoreError::DuplicateUsername(_) => "user.username_duplicate",
            StoreError::Rule(e) => e.code(),
            StoreError::Attachment(e) => e.code(),
            StoreError::Transfer(e) => e.code(),
            StoreError::Letter(e) => e.code(),
            StoreError::Status(e) => e.code(),
            StoreError::Refused { code, .. } => code,
            StoreError::Floating(e) => e.code(),
            StoreError::Registry(e) => e.code(),
            StoreError::Development(e) => e.code(),
            StoreError::Applicant(e) => e.code(),
            StoreError::SponsorNotFull(_) => "development.sponsor_not_full",
            StoreError::DevelopeeExists(_) => "development.id_number_duplicate",
            StoreError::PlanInvalid(_) => "development.plan_invalid",
            StoreError::HostEntity(e) => e.code(),
            StoreError::Invalid(_) => "invalid",
            StoreError::Unavailable(_) => "store.unavailable",
            StoreError::Other(_) => "store.internal",
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}
