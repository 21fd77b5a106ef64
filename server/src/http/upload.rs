//! Reading an uploaded book from a multipart body, streamed and cut off past the size limit:
//! shared by the editors' upload page and the REST API.

use axum::extract::Multipart;
use std::collections::HashMap;

#[derive(Debug, PartialEq, Eq)]
pub enum UploadError {
    /// Larger than the limit, or the body broke off.
    TooLarge,
    /// No `file` field, or an empty one.
    Missing,
}

/// The file field (its name and bytes) and the other, short, text fields.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
    pub fields: HashMap<String, String>,
}

pub async fn read(multipart: &mut Multipart, max_bytes: u64) -> Result<Upload, UploadError> {
    read_field(multipart, "file", max_bytes).await
}

/// The file in the field `file_field`, and the other, short, text fields.
pub async fn read_field(multipart: &mut Multipart, file_field: &str, max_bytes: u64) -> Result<Upload, UploadError> {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut fields = HashMap::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(mut field)) if field.name() == Some(file_field) => {
                let name = field.file_name().unwrap_or("upload").to_owned();
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if (bytes.len() + chunk.len()) as u64 > max_bytes {
                                return Err(UploadError::TooLarge);
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(_) => return Err(UploadError::TooLarge),
                    }
                }
                file = Some((name, bytes));
            }
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                if let Ok(text) = field.text().await {
                    if fields.len() < 16 && text.len() <= 1000 {
                        fields.insert(name, text);
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return Err(UploadError::TooLarge),
        }
    }
    match file {
        Some((name, bytes)) if !bytes.is_empty() => Ok(Upload { name, bytes, fields }),
        _ => Err(UploadError::Missing),
    }
}
