package org.ptsingest.service.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromium-driver (installed by scripts/test when
 * missing; Selenium is never allowed to download a browser).
 */
public final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Screenshots the README links to. */
    static final Path SCREENSHOTS = Path.of("..", "docs", "screenshots");

    public final ChromeDriver driver;
    private final String base;

    public Browser(String base) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("Chromium and ChromeDriver are missing: run scripts/chromium-up "
                    + "(scripts/test does) to install Debian's chromium and chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1440,1000", "--lang=en-US");
        options.setAcceptInsecureCerts(true); // the test service's self-signed certificate
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        this.driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        this.base = base;
    }

    public void open(String path) {
        driver.get(base + path);
    }

    void logIn(String user, String password) {
        logIn("/ops/login", user, password);
    }

    /** Logs in on a login page with the usual fields (the console's, the self-reporters'). */
    public void logIn(String loginPage, String user, String password) {
        open(loginPage);
        driver.findElement(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        clickAndWait(driver.findElement(By.id("login")));
    }

    void logOut() {
        clickAndWait(driver.findElement(By.cssSelector("header.top form button")));
    }

    /** Clicks a link or submit button and waits until the next page replaced this one. */
    public void clickAndWait(WebElement element) {
        WebElement page = driver.findElement(By.tagName("html"));
        element.click();
        // ChromeDriver reports a node of the replaced page either as stale or, now and then, as an
        // "inspector error: Node ... does not belong to the document": both mean the page was replaced.
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> {
            try {
                page.isEnabled();
                return false;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return true;
            } catch (org.openqa.selenium.WebDriverException e) {
                if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                    return true;
                }
                throw e;
            }
        });
    }

    /** The element, or an error that says which page was showing instead (its text, shortened). */
    public WebElement find(String css) {
        try {
            return driver.findElement(By.cssSelector(css));
        } catch (org.openqa.selenium.NoSuchElementException e) {
            String text = driver.findElement(By.tagName("body")).getText();
            throw new AssertionError("no " + css + " on " + driver.getCurrentUrl() + ", which shows: "
                    + text.substring(0, Math.min(600, text.length())), e);
        }
    }

    public java.util.List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
