//! The probe kinds, one file each, and what several of them share: [`api`] (JSON over
//! HTTP), [`credentials`] (passwords, tokens, masking) and [`tls_config`] (trust and
//! verifiers).

pub(crate) mod api;
pub(crate) mod command;
pub(crate) mod credentials;
pub(crate) mod disk;
pub(crate) mod dns;
pub(crate) mod env;
pub(crate) mod file;
pub(crate) mod graphql;
pub(crate) mod http;
pub(crate) mod jwt;
pub(crate) mod log;
pub(crate) mod memory;
pub(crate) mod metrics;
pub(crate) mod mysql;
pub(crate) mod oidc;
pub(crate) mod port;
pub(crate) mod postgres;
pub(crate) mod process;
pub(crate) mod prometheus;
pub(crate) mod redis;
pub(crate) mod tcp;
pub(crate) mod tls;
pub(crate) mod tls_config;
pub(crate) mod websocket;
