//! Images in a local folder, served by `/api/files/...` only with a valid signature that has
//! not expired.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use futures::Stream;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::StoredObject;

pub struct LocalStorage {
    root: PathBuf,
    signing_key: SecretString,
}

/// Why a file request is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum FileAccessError {
    BadSignature,
    Expired,
}

impl LocalStorage {
    pub fn new(root: PathBuf, signing_key: SecretString) -> LocalStorage {
        LocalStorage { root, signing_key }
    }

    /// The file behind a key; keys are relative paths without `..`.
    fn path(&self, key: &str) -> anyhow::Result<PathBuf> {
        let relative = Path::new(key);
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            anyhow::bail!("storage key `{key}` is not a plain relative path");
        }
        Ok(self.root.join(relative))
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> anyhow::Result<()> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        // Write then rename, so a reader never sees half a file.
        let partial = path.with_extension("partial");
        tokio::fs::write(&partial, bytes).await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(())
    }

    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Every stored file, one page per owner's folder. Entries that vanish or cannot be
    /// read while listing are skipped: the next sweep sees them again.
    pub fn objects(&self) -> impl Stream<Item = anyhow::Result<Vec<StoredObject>>> + Send + '_ {
        async_stream::try_stream! {
            let owners = match tokio::fs::read_dir(&self.root).await {
                Ok(owners) => Some(owners),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => Err(e)?,
            };
            if let Some(mut owners) = owners {
                while let Some(owner) = owners.next_entry().await? {
                    let Some(owner_name) = owner.file_name().to_str().map(str::to_owned) else {
                        continue;
                    };
                    if !owner.file_type().await?.is_dir() {
                        continue;
                    }
                    let mut files = tokio::fs::read_dir(owner.path()).await?;
                    let mut page = Vec::new();
                    while let Some(file) = files.next_entry().await? {
                        let Some(name) = file.file_name().to_str().map(str::to_owned) else {
                            continue;
                        };
                        let Ok(metadata) = file.metadata().await else {
                            continue;
                        };
                        if let (true, Ok(modified)) = (metadata.is_file(), metadata.modified()) {
                            page.push(StoredObject {
                                key: format!("{owner_name}/{name}"),
                                modified,
                            });
                        }
                    }
                    yield page;
                }
            }
        }
    }

    pub async fn read(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let path = self
            .path(key)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::NotFound, e.to_string()))?;
        tokio::fs::read(path).await
    }

    /// The HMAC over what a URL allows: reading `key`, or (`upload` set) writing exactly that
    /// content type and size to it.
    fn signature(&self, key: &str, expires: i64, upload: Option<(&str, u64)>) -> Hmac<Sha256> {
        // HMAC accepts keys of any length.
        let mut mac = Hmac::<Sha256>::new_from_slice(self.signing_key.expose_secret().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        match upload {
            None => mac.update(b"file\n"),
            Some((content_type, byte_size)) => {
                mac.update(b"upload\n");
                mac.update(content_type.as_bytes());
                mac.update(b"\n");
                mac.update(byte_size.to_string().as_bytes());
                mac.update(b"\n");
            }
        }
        mac.update(key.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    fn signed(&self, key: &str, ttl: Duration, upload: Option<(&str, u64)>) -> String {
        let expires = chrono::Utc::now().timestamp() + ttl.as_secs() as i64;
        let sig = hex::encode(self.signature(key, expires, upload).finalize().into_bytes());
        format!("/api/files/{key}?expires={expires}&sig={sig}")
    }

    pub fn signed_url(&self, key: &str, ttl: Duration) -> String {
        self.signed(key, ttl, None)
    }

    /// A URL that takes one PUT of exactly `byte_size` bytes of `content_type` for `key`.
    pub fn signed_put_url(
        &self,
        key: &str,
        content_type: &str,
        byte_size: u64,
        ttl: Duration,
    ) -> String {
        self.signed(key, ttl, Some((content_type, byte_size)))
    }

    /// Checks a URL's signature (in constant time) and expiry: for reading `key`, or (with
    /// `upload`) for writing that content type and size to it.
    pub fn verify(
        &self,
        key: &str,
        expires: i64,
        sig: &str,
        upload: Option<(&str, u64)>,
    ) -> Result<(), FileAccessError> {
        let bytes = hex::decode(sig).map_err(|_| FileAccessError::BadSignature)?;
        self.signature(key, expires, upload)
            .verify_slice(&bytes)
            .map_err(|_| FileAccessError::BadSignature)?;
        if expires < chrono::Utc::now().timestamp() {
            return Err(FileAccessError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storage(dir: &Path) -> LocalStorage {
        LocalStorage::new(dir.to_path_buf(), SecretString::from("k".repeat(32)))
    }

    fn query(url: &str) -> (i64, String) {
        let q = url.split_once('?').unwrap().1;
        let mut expires = 0;
        let mut sig = String::new();
        for pair in q.split('&') {
            match pair.split_once('=').unwrap() {
                ("expires", v) => expires = v.parse().unwrap(),
                ("sig", v) => sig = v.to_owned(),
                _ => {}
            }
        }
        (expires, sig)
    }

    #[test]
    fn a_signature_is_valid_only_for_its_key_and_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let store = storage(dir.path());
        let (expires, sig) = query(&store.signed_url("a/b.png", Duration::from_secs(60)));
        assert_eq!(store.verify("a/b.png", expires, &sig, None), Ok(()));
        assert_eq!(
            store.verify("a/c.png", expires, &sig, None),
            Err(FileAccessError::BadSignature)
        );
        assert_eq!(
            store.verify("a/b.png", expires + 1, &sig, None),
            Err(FileAccessError::BadSignature)
        );
        let (past, past_sig) = (
            expires - 3600,
            hex::encode(
                store
                    .signature("a/b.png", expires - 3600, None)
                    .finalize()
                    .into_bytes(),
            ),
        );
        assert_eq!(
            store.verify("a/b.png", past, &past_sig, None),
            Err(FileAccessError::Expired)
        );
    }

    #[tokio::test]
    async fn keys_cannot_escape_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let store = storage(dir.path());
        assert!(
            store
                .put("../escape.png", vec![1], "image/png")
                .await
                .is_err()
        );
        store.put("u/x.png", vec![1, 2], "image/png").await.unwrap();
        assert_eq!(store.read("u/x.png").await.unwrap(), vec![1, 2]);
        store.delete("u/x.png").await.unwrap();
        store.delete("u/x.png").await.unwrap();
    }
}
