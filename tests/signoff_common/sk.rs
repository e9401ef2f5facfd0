//! A security key in software, and an ssh-agent that signs with it.
//!
//! [`SoftSk`] signs as a FIDO security key does for OpenSSH (`PROTOCOL.u2f`): over
//! sha256(application) || flags || counter || sha256(message), returning the signature blob
//! `string "sk-ssh-ed25519@openssh.com", string signature, byte flags, uint32 counter` (for
//! `sk-ecdsa-sha2-nistp256@openssh.com`, ECDSA with SHA-256 and the signature string holding
//! `mpint r, mpint s`). So the
//! flags a test chooses (touch, PIN, neither) are signed exactly as hardware signs them, and
//! real `ssh-keygen -Y verify` checks the result.
//!
//! [`TestAgent`] is a small server on a unix socket speaking the two messages of the agent
//! protocol countersign uses (list identities, sign), answering with a [`SoftSk`] — or, as
//! [`Answer::Never`], accepting and never answering (a security key nobody touches).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::Arc;

use ed25519_dalek::Signer;
use sha2::{Digest, Sha256};
use ssh_key::public::{Ed25519PublicKey, KeyData, SkEd25519};
use ssh_key::rand_core::RngCore;
use ssh_key::{HashAlg, PublicKey, SshSig};

/// The user-presence flag (a touch).
pub const TOUCH: u8 = 0x01;
/// The user-verification flag (the PIN).
pub const PIN: u8 = 0x04;

/// The private half of a [`SoftSk`].
enum Private {
    Ed25519(ed25519_dalek::SigningKey),
    EcdsaP256(p256::ecdsa::SigningKey),
}

/// An `sk-ssh-ed25519@openssh.com` (or `sk-ecdsa-sha2-nistp256@openssh.com`) key whose
/// private half is in memory.
pub struct SoftSk {
    signing: Private,
    /// The public key, as a roster lists it.
    pub public: PublicKey,
    /// The flags its signatures carry.
    pub flags: u8,
    /// The counter its signatures carry.
    pub counter: u32,
}

impl SoftSk {
    /// A new random key for application `ssh:` whose signatures carry `flags`.
    pub fn new(flags: u8) -> SoftSk {
        let mut seed = [0u8; 32];
        ssh_key::rand_core::OsRng.fill_bytes(&mut seed);
        let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
        let sk = SkEd25519::new(Ed25519PublicKey(signing.verifying_key().to_bytes()), "ssh:");
        SoftSk {
            signing: Private::Ed25519(signing),
            public: PublicKey::from(KeyData::SkEd25519(sk)),
            flags,
            counter: 7,
        }
    }

    /// A new random `sk-ecdsa-sha2-nistp256@openssh.com` key for application `ssh:`.
    pub fn new_ecdsa(flags: u8) -> SoftSk {
        let signing = p256::ecdsa::SigningKey::random(&mut ssh_key::rand_core::OsRng);
        let point = signing.verifying_key().to_encoded_point(false);
        let ssh_key::public::EcdsaPublicKey::NistP256(ec_point) =
            ssh_key::public::EcdsaPublicKey::from_sec1_bytes(point.as_bytes())
                .expect("P-256 point")
        else {
            panic!("a P-256 point reads as P-256");
        };
        let sk = ssh_key::public::SkEcdsaSha2NistP256::new(ec_point, "ssh:");
        SoftSk {
            signing: Private::EcdsaP256(signing),
            public: PublicKey::from(KeyData::SkEcdsaSha2NistP256(sk)),
            flags,
            counter: 7,
        }
    }

    /// The public key in OpenSSH text (`sk-ssh-ed25519@openssh.com AAAA…`).
    pub fn openssh(&self) -> String {
        self.public.to_openssh().expect("public key text")
    }

    /// The signature blob over `data`, as a security key (through ssh-agent) returns it.
    pub fn sign_blob(&self, data: &[u8]) -> Vec<u8> {
        let mut signed = Sha256::digest(b"ssh:").to_vec();
        signed.push(self.flags);
        signed.extend_from_slice(&self.counter.to_be_bytes());
        signed.extend_from_slice(&Sha256::digest(data));
        let mut out = Vec::new();
        match &self.signing {
            Private::Ed25519(k) => {
                put_string(&mut out, b"sk-ssh-ed25519@openssh.com");
                put_string(&mut out, &k.sign(&signed).to_bytes());
            }
            Private::EcdsaP256(k) => {
                let sig: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(k, &signed);
                let (r, s) = sig.split_bytes();
                let mut inner = Vec::new();
                put_mpint(&mut inner, &r);
                put_mpint(&mut inner, &s);
                put_string(&mut out, b"sk-ecdsa-sha2-nistp256@openssh.com");
                put_string(&mut out, &inner);
            }
        }
        out.push(self.flags);
        out.extend_from_slice(&self.counter.to_be_bytes());
        out
    }

    /// An armored SSHSIG over `msg` in `namespace` (what `ssh-keygen -Y sign` writes), its
    /// signature blob placed as the key returned it.
    pub fn sshsig(&self, namespace: &str, msg: &[u8]) -> String {
        let data = SshSig::signed_data(namespace, HashAlg::Sha512, msg).expect("signed data");
        countersign_core::signoff::sshsig::armor_parts(
            &self.public.to_bytes().expect("key blob"),
            namespace,
            "sha512",
            &self.sign_blob(&data),
        )
    }
}

/// How the test agent answers a sign request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// With the key's signature.
    Sign,
    /// Never: it reads the request and waits (a key nobody touches).
    Never,
}

/// An ssh-agent on a unix socket in a temporary directory, holding one [`SoftSk`].
pub struct TestAgent {
    /// `SSH_AUTH_SOCK` for it.
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestAgent {
    /// Starts serving `key` (each connection on its own thread, for the test's lifetime).
    pub fn start(key: Arc<SoftSk>, answer: Answer) -> TestAgent {
        let dir = tempfile::tempdir().expect("agent dir");
        let socket = dir.path().join("agent.sock");
        let listener = UnixListener::bind(&socket).expect("bind the agent socket");
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let key = Arc::clone(&key);
                std::thread::spawn(move || serve(stream, &key, answer));
            }
        });
        TestAgent { socket, _dir: dir }
    }
}

fn serve(mut stream: UnixStream, key: &SoftSk, answer: Answer) {
    loop {
        let mut len = [0u8; 4];
        if stream.read_exact(&mut len).is_err() {
            return;
        }
        let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
        if stream.read_exact(&mut body).is_err() {
            return;
        }
        let reply = match body.first() {
            Some(11) => {
                let mut r = vec![12];
                r.extend_from_slice(&1u32.to_be_bytes());
                put_string(&mut r, &key.public.to_bytes().expect("key blob"));
                put_string(&mut r, b"soft security key");
                r
            }
            Some(13) if answer == Answer::Never => {
                // Hold the connection open, never answer.
                std::thread::sleep(std::time::Duration::from_secs(600));
                return;
            }
            Some(13) => {
                let mut rest = &body[1..];
                let _key = take_string(&mut rest);
                let data = take_string(&mut rest).unwrap_or_default();
                let mut r = vec![14];
                put_string(&mut r, &key.sign_blob(&data));
                r
            }
            _ => vec![5],
        };
        let mut out = (reply.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&reply);
        if stream.write_all(&out).is_err() {
            return;
        }
    }
}

/// An SSH mpint: big-endian, no leading zeros, a zero byte first when the top bit is set.
fn put_mpint(out: &mut Vec<u8>, bytes: &[u8]) {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => &bytes[i..],
        None => &[],
    };
    let mut v = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(trimmed);
    put_string(out, &v);
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn take_string(input: &mut &[u8]) -> Option<Vec<u8>> {
    let (len, rest) = input.split_first_chunk::<4>()?;
    let len = u32::from_be_bytes(*len) as usize;
    if rest.len() < len {
        return None;
    }
    let (s, rest) = rest.split_at(len);
    *input = rest;
    Some(s.to_vec())
}
