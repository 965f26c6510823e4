//! Attachments of a record (会议附件): photos and scanned minutes, with the limits that keep a
//! record's evidence small enough to store in the database. What a file is comes from its first
//! bytes, never from its name or the browser's word.

/// Largest file, in bytes (10 MB): a phone photo or a scanned page, not a video.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Most files on one record.
pub const MAX_PER_MEETING: usize = 20;
/// Longest file name, in characters.
const NAME_MAX: usize = 200;

/// The kinds of file accepted, recognised by their magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    Jpeg,
    Png,
    Pdf,
}

impl ContentType {
    /// What the first bytes say the file is.
    pub fn sniff(bytes: &[u8]) -> Option<ContentType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ContentType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ContentType::Png)
        } else if bytes.starts_with(b"%PDF-") {
            Some(ContentType::Pdf)
        } else {
            None
        }
    }

    /// The MIME type the file is stored and served with.
    pub fn mime(self) -> &'static str {
        match self {
            ContentType::Jpeg => "image/jpeg",
            ContentType::Png => "image/png",
            ContentType::Pdf => "application/pdf",
        }
    }

    pub fn parse_mime(mime: &str) -> Option<ContentType> {
        [ContentType::Jpeg, ContentType::Png, ContentType::Pdf].into_iter().find(|t| t.mime() == mime)
    }

    /// Photos are shown as thumbnails; other files as links.
    pub fn is_image(self) -> bool {
        matches!(self, ContentType::Jpeg | ContentType::Png)
    }
}

/// Why a file cannot be attached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("文件为空")]
    Empty,
    #[error("文件过大（{size}字节），单个附件最大10MB")]
    TooLarge { size: usize },
    #[error("只能上传 JPEG、PNG 图片或 PDF 文件（按文件内容识别，而不是扩展名）")]
    TypeUnknown,
    #[error("每条记录最多{MAX_PER_MEETING}个附件")]
    TooMany,
    #[error("文件名为空或过长（最多{NAME_MAX}字）")]
    NameInvalid,
}

impl AttachmentError {
    /// Stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            AttachmentError::Empty => "attachment.empty",
            AttachmentError::TooLarge { .. } => "attachment.too_large",
            AttachmentError::TypeUnknown => "attachment.type_unknown",
            AttachmentError::TooMany => "attachment.too_many",
            AttachmentError::NameInvalid => "attachment.name_invalid",
        }
    }
}

/// A file that may be attached. The only constructor is [`NewAttachment::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment<'a> {
    pub file_name: String,
    pub content_type: ContentType,
    pub bytes: &'a [u8],
}

impl<'a> NewAttachment<'a> {
    /// Checks size and type; keeps the file name's last path segment (browsers on Windows send
    /// `C:\fakepath\…`) without control characters: the name is shown and sent back in a
    /// download header, where a line break or NUL has no business, and is never used as a path.
    pub fn check(file_name: &str, bytes: &'a [u8]) -> Result<NewAttachment<'a>, AttachmentError> {
        let last = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
        let name = last.chars().filter(|c| !c.is_control()).collect::<String>();
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX {
            return Err(AttachmentError::NameInvalid);
        }
        if bytes.is_empty() {
            return Err(AttachmentError::Empty);
        }
        if bytes.len() > MAX_BYTES {
            return Err(AttachmentError::TooLarge { size: bytes.len() });
        }
        let content_type = ContentType::sniff(bytes).ok_or(AttachmentError::TypeUnknown)?;
        Ok(NewAttachment { file_name: name.to_owned(), content_type, bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_their_bytes_not_their_names() {
        let png = b"\x89PNG\r\n\x1a\n rest";
        let a = NewAttachment::check("C:\\fakepath\\签到.jpg", png).unwrap();
        assert_eq!((a.file_name.as_str(), a.content_type.mime()), ("签到.jpg", "image/png"));
        assert_eq!(NewAttachment::check("纪要.pdf", b"%PDF-1.7").unwrap().content_type, ContentType::Pdf);
        assert_eq!(
            NewAttachment::check("照片.jpg", &[0xFF, 0xD8, 0xFF, 0xE0]).unwrap().content_type,
            ContentType::Jpeg
        );
        assert_eq!(NewAttachment::check("纪要.docx", b"PK\x03\x04").unwrap_err().code(), "attachment.type_unknown");
        assert_eq!(NewAttachment::check("空.png", b"").unwrap_err(), AttachmentError::Empty);
        assert_eq!(NewAttachment::check(" ", png).unwrap_err(), AttachmentError::NameInvalid);
    }

    #[test]
    fn a_file_name_keeps_only_its_last_segment_and_no_control_characters() {
        let png = b"\x89PNG\r\n\x1a\n rest";
        let name = |n: &str| NewAttachment::check(n, png).map(|a| a.file_name);
        assert_eq!(name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(name("..\\..\\boot.ini").unwrap(), "boot.ini");
        assert_eq!(name("x\r\nSet-Cookie: a=b.jpg").unwrap(), "xSet-Cookie: a=b.jpg");
        assert_eq!(name("会议\0签到表.png").unwrap(), "会议签到表.png", "Chinese stays readable");
        assert_eq!(name("a/b/\r\n").unwrap_err(), AttachmentError::NameInvalid);
    }

    #[test]
    fn ten_megabytes_fit_and_one_byte_more_does_not() {
        let mut big = vec![0u8; MAX_BYTES];
        big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        assert!(NewAttachment::check("a.jpg", &big).is_ok());
        big.push(0);
        assert_eq!(NewAttachment::check("a.jpg", &big).unwrap_err().code(), "attachment.too_large");
    }
}
