//! `goro::select!` and `goro::select_blocking!`: parse the cases and expand
//! them into case values driven by `goro::select::Selector`.
//!
//! Grammar (each case ends with `,` unless its body is a block):
//!
//! ```text
//! recv(OPERAND) [-> PAT] => BODY
//! send(OPERAND, VALUE) [-> PAT] => BODY
//! future(FUTURE) [-> PAT] => BODY
//! default => BODY
//! ```
//!
//! Expansion: operands, send values and futures are evaluated once, in
//! source order, into locals; the cases are built from them into one nested
//! tuple `(case0, (case1, ()))` (held by value: reaching case `i` is a field
//! path, not a pointer per case); the selector runs over it; the chosen
//! case's output is moved into a local enum, every case is dropped, and
//! only then does the chosen body run. So bodies may reassign operands or
//! `break`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Pat, Token};

/// One parsed case.
struct Case {
    /// `recv`, `send` or `future`.
    kind: Ident,
    /// The arguments inside the parentheses.
    args: Vec<Expr>,
    /// The binding pattern (`_` when absent).
    pat: Pat,
    /// The body.
    body: Expr,
}

/// The whole macro input.
struct Input {
    /// The channel and future cases, in source order.
    cases: Vec<Case>,
    /// The `default` body, if any.
    default: Option<Expr>,
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut out = Input { cases: Vec::new(), default: None };
        while !input.is_empty() {
            let kind: Ident = input.parse()?;
            if kind == "default" {
                if out.default.is_some() {
                    return Err(syn::Error::new(
                        kind.span(),
                        "goro::select: more than one default case",
                    ));
                }
                input.parse::<Token![=>]>()?;
                out.default = Some(parse_body(input)?);
                continue;
            }
            out.cases.push(parse_case(kind, input)?);
        }
        Ok(out)
    }
}

/// Parses `(args) [-> pat] => body` after the case keyword.
fn parse_case(kind: Ident, input: ParseStream) -> syn::Result<Case> {
    let want = match kind.to_string().as_str() {
        "recv" | "future" => 1,
        "send" => 2,
        _ => {
            let msg = "goro::select: expected `recv(..)`, `send(..)`, `future(..)` or `default`";
            return Err(syn::Error::new(kind.span(), msg));
        }
    };
    let content;
    syn::parenthesized!(content in input);
    let args: Vec<Expr> =
        Punctuated::<Expr, Token![,]>::parse_terminated(&content)?.into_iter().collect();
    if args.len() != want {
        let msg = format!("goro::select: `{kind}` takes {want} argument(s)");
        return Err(syn::Error::new(kind.span(), msg));
    }
    let pat = if input.peek(Token![->]) {
        input.parse::<Token![->]>()?;
        Pat::parse_single(input)?
    } else {
        syn::parse_quote!(_)
    };
    input.parse::<Token![=>]>()?;
    Ok(Case { kind, args, pat, body: parse_body(input)? })
}

/// Parses a body and its separating comma (optional after a block).
fn parse_body(input: ParseStream) -> syn::Result<Expr> {
    let body: Expr = if input.peek(syn::token::Brace) {
        Expr::Block(syn::ExprBlock { attrs: Vec::new(), label: None, block: input.parse()? })
    } else {
        input.parse()?
    };
    let is_block = matches!(body, Expr::Block(_));
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    } else if !is_block && !input.is_empty() {
        return Err(input.error("goro::select: expected `,` after a case body"));
    }
    Ok(body)
}

/// Expands `select!` (`blocking == false`) or `select_blocking!`.
pub(crate) fn expand(input: proc_macro::TokenStream, blocking: bool) -> proc_macro::TokenStream {
    let input = match syn::parse::<Input>(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error().into(),
    };
    if input.cases.is_empty() && input.default.is_none() {
        return forever(blocking).into();
    }
    expand_cases(&input, blocking).into()
}

/// `select! {}`: blocks forever.
fn forever(blocking: bool) -> TokenStream {
    if blocking {
        quote!(match ::goro::select::forever_blocking() {})
    } else {
        quote!(match ::goro::select::forever().await {})
    }
}

/// The general expansion.
fn expand_cases(input: &Input, blocking: bool) -> TokenStream {
    let n = input.cases.len();
    let variants: Vec<Ident> = (0..n).map(|i| format_ident!("Case{}", i)).collect();
    let params: Vec<Ident> = (0..n).map(|i| format_ident!("__GoroT{}", i)).collect();
    let (setup, built): (Vec<_>, Vec<_>) =
        input.cases.iter().enumerate().map(|(i, c)| setup_case(i, c)).unzip();
    let indices = 0..n;
    // Case `i` of the nested tuple: `.1` `i` times, then `.0`.
    let paths = (0..n).map(|i| {
        let hops = std::iter::repeat_n(quote!(.1), i);
        quote!(__goro_cases #(#hops)* .0)
    });
    let has_default = input.default.is_some();
    let wait = if blocking { quote!(.wait_blocking()) } else { quote!(.await) };
    let (default_variant, default_take, default_arm) = match &input.default {
        Some(body) => {
            (quote!(Default,), quote!(__GoroOut::Default), quote!(__GoroOut::Default => #body,))
        }
        None => {
            (quote!(), quote!(::core::unreachable!("goro::select: no case completed")), quote!())
        }
    };
    let list = built.iter().rev().fold(quote!(()), |rest, c| quote!((#c, #rest)));
    let pats = input.cases.iter().map(|c| &c.pat);
    let bodies = input.cases.iter().map(|c| &c.body);
    quote! {{
        enum __GoroOut<#(#params),*> { #(#variants(#params),)* #default_variant }
        let __goro_out = {
            #(#setup)*
            let mut __goro_cases = #list;
            let __goro_index =
                ::goro::select::Selector::new(&mut __goro_cases, #has_default) #wait;
            match __goro_index {
                #(#indices => __GoroOut::#variants(#paths.take_output()),)*
                _ => #default_take,
            }
        };
        match __goro_out {
            #(__GoroOut::#variants(#pats) => #bodies,)*
            #default_arm
        }
    }}
}

/// The locals of case `i` (its operand, value or pinned future, evaluated
/// here in source order) and the expression that builds its case from them.
fn setup_case(i: usize, c: &Case) -> (TokenStream, TokenStream) {
    let op = format_ident!("__goro_operand{}", i, span = Span::call_site());
    let a0 = &c.args[0];
    match c.kind.to_string().as_str() {
        "recv" => (quote!(let #op = &(#a0);), quote!(::goro::select::RecvCase::new(#op))),
        "send" => {
            let a1 = &c.args[1];
            let val = format_ident!("__goro_value{}", i);
            (
                quote! {
                    let #op = &(#a0);
                    let #val = #a1;
                },
                quote!(::goro::select::SendCase::new(#op, #val)),
            )
        }
        _ => (
            quote!(let mut #op = ::core::pin::pin!(#a0);),
            quote!(::goro::select::FutureCase::new(#op.as_mut())),
        ),
    }
}
