import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";

import { AppRoutes } from "./App";
import { ApiClient } from "./api/client";
import { sessionStorageStore } from "./api/tokens";
import { AuthProvider } from "./auth/AuthContext";
import "./styles.css";

const root = document.getElementById("root");
if (root === null) {
  throw new Error("index.html has no #root element");
}
const client = new ApiClient(sessionStorageStore());

createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <AuthProvider client={client}>
        <AppRoutes />
      </AuthProvider>
    </BrowserRouter>
  </StrictMode>,
);
