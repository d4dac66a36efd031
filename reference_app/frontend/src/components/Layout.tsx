/** The frame of every signed-in page: navigation, who is signed in, sign out. */

import { NavLink, Outlet, useNavigate } from "react-router";

import { useAuth } from "../auth/AuthContext";

export function Layout() {
  const { user, signOut } = useAuth();
  const navigate = useNavigate();
  const onSignOut = () => {
    void signOut().finally(() => {
      void navigate("/login", { replace: true });
    });
  };
  return (
    <>
      <header className="topbar">
        <span className="brand">Pricing console</span>
        <nav aria-label="Main">
          <NavLink to="/products">Products</NavLink>
          <NavLink to="/sync">Marketplace sync</NavLink>
        </nav>
        <span className="who">
          {user?.email} <span className="muted">({user?.role})</span>
        </span>
        <button type="button" className="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main>
        <Outlet />
      </main>
    </>
  );
}
