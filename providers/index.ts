// Re-exports of the dynamic providers and the SSH executor they share.
export * from "./ssh";
export * from "./mysqlDatabase";
export * from "./ovsBridge";
